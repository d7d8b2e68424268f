from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.models import Session
from django.db.models import Exists
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import User, normalize_email
from accounts.sessions import unverified_session


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

    def get_user(self, user_id):
        """The signed-in member, if their session still exists.

        A session loaded from Redis may be one that a logout already deleted from the
        database (``accounts.sessions``): the member is then read only if its row is
        still there, in the same query.
        """
        members = User._default_manager.filter(pk=user_id)
        session_key = unverified_session()
        if session_key is not None:
            alive = Session.objects.filter(session_key=session_key, expire_date__gt=timezone.now())
            members = members.filter(Exists(alive))
        member = members.first()
        return member if member is not None and self.user_can_authenticate(member) else None
