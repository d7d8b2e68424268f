"""The emailed link of a new member of staff (or of one whose second factor was reset):
choose a password, enrol an authenticator, see the recovery codes once."""

from base64 import b32encode

import segno
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from waterportal.lib.sources import client_ip
from waterportal.staff import actions
from waterportal.staff.forms import EnrolmentCodeForm, WelcomePasswordForm
from waterportal.staff.models import InvitationPurpose
from waterportal.tenants.decorators import tenant_required

# The recovery codes between the last step and the page that shows them, once.
SHOWN_ONCE = "staff_welcome_codes"
# The emailed link's ``<id>.<secret>``. As Django's password reset does, the secret leaves
# the address bar at once: the pages after the link are addressed by the invitation's
# number alone, so that no history, Referer or server log of them holds the secret.
LINK = "staff_welcome_link"


def _link(request, value: str) -> str:
    """The link's ``<id>.<secret>``: from the address (the emailed link itself) or, on the
    pages after it, from this browser's session; "" when this browser never opened it."""
    if "." in value:
        return value
    kept = request.session.get(LINK, "")
    return kept if kept.partition(".")[0] == value else ""


def _out_of_the_address(request, value: str, view: str):
    """For a GET of the emailed link: keep the secret in the session, and send the
    browser on to the same page addressed by the number only."""
    if request.method == "GET" and "." in value:
        request.session[LINK] = value
        return redirect(view, value.partition(".")[0])
    return None


def _invalid(request):
    return render(request, "staff/welcome_invalid.html", status=410)


def grouped(secret: str, size: int = 4) -> str:
    """ABCD EFGH …: the secret as one reads it aloud or types it."""
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


@sensitive_post_parameters()
@tenant_required
@never_cache
def welcome(request, value: str):
    """Step 1 of an invitation: the password. A re-enrolment keeps its password and
    starts at the authenticator."""
    with translation.override("ja"):
        try:
            invitation = actions.find_invitation(request.tenant, _link(request, value))
        except actions.InvitationInvalid:
            return _invalid(request)
        moved = _out_of_the_address(request, value, "staff:welcome")
        if moved:
            return moved
        value = _link(request, value)
        if invitation.purpose == InvitationPurpose.RESET:
            request.session[LINK] = value
            return redirect("staff:welcome_authenticator", invitation.pk)
        form = WelcomePasswordForm(request.POST or None, staff=invitation.staff)
        if request.method == "POST" and form.is_valid():
            try:
                actions.choose_invitation_password(invitation, form.cleaned_data["password1"])
            except ValidationError as exc:
                form.add_error("password1", exc)
            else:
                request.session[LINK] = value
                return redirect("staff:welcome_authenticator", invitation.pk)
        return render(request, "staff/welcome.html", {"form": form, "staff": invitation.staff})


@sensitive_post_parameters()
@tenant_required
@never_cache
def welcome_authenticator(request, value: str):
    """Step 2: the QR code and the secret as text, then one 確認コード."""
    with translation.override("ja"):
        try:
            invitation = actions.find_invitation(request.tenant, _link(request, value))
        except actions.InvitationInvalid:
            return _invalid(request)
        moved = _out_of_the_address(request, value, "staff:welcome_authenticator")
        if moved:
            return moved
        value = _link(request, value)
        if invitation.purpose == InvitationPurpose.INVITE and not invitation.password_hash:
            return redirect("staff:welcome", invitation.pk)
        device = actions.enrolment_device(invitation)
        form = EnrolmentCodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                _staff, codes = actions.do_accept_staff_invitation(
                    request.tenant, value, form.cleaned_data["code"], source=client_ip(request)
                )
            except actions.InvitationInvalid:
                return _invalid(request)
            except actions.EnrolmentTooSoon:
                form.add_error(
                    "code",
                    "確認コードが違っていたため、すぐには次を受け付けません。"
                    "数秒待ってから、認証アプリに今表示されている6桁の数字を入力してください。",
                )
            except actions.EnrolmentCodeWrong:
                form.add_error(
                    "code",
                    "確認コードが正しくありません。認証アプリに今表示されている6桁の数字を入力してください。"
                    "時間が過ぎて数字が変わったときは、新しい数字を入力してください。",
                )
            else:
                request.session[SHOWN_ONCE] = codes
                request.session.pop(LINK, None)
                return redirect("staff:welcome_done")
        uri = device.config_url
        return render(
            request,
            "staff/welcome_authenticator.html",
            {
                "form": form,
                "staff": invitation.staff,
                "qr_svg": segno.make(uri, error="m").svg_inline(
                    scale=5, title="認証アプリに登録するQRコード"
                ),
                "secret": grouped(b32encode(device.bin_key).decode()),
                "reset": invitation.purpose == InvitationPurpose.RESET,
            },
        )


@tenant_required
@never_cache
def welcome_done(request):
    """The ten recovery codes, shown this once; then the way to the login."""
    with translation.override("ja"):
        codes = request.session.pop(SHOWN_ONCE, None)
        if not codes:
            return redirect("staff:login")
        return render(request, "staff/welcome_done.html", {"codes": codes})
