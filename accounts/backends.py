from django.contrib.auth.backends import ModelBackend
from django.views.decorators.debug import sensitive_variables

from accounts.models import User, normalize_email


class TenantEmailBackend(ModelBackend):
    """Authenticate by (municipality, email, password).

    With no tenant (``tenant=None``) only the operator's accounts, which have none, match.
    An unknown address still runs the password hasher, so that the answer takes the same
    time whether or not the address exists.
    """

    @sensitive_variables("password")
    def authenticate(self, request, username=None, password=None, tenant=None, **kwargs):
        email = normalize_email(kwargs.get("email") or username)
        if not email or password is None:
            return None
        if tenant is None and request is not None:
            tenant = getattr(request, "tenant", None)
        try:
            user = User.objects.get(tenant=tenant, email=email)
        except User.DoesNotExist:
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
