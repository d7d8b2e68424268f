"""The resident's inquiry pages: the form (a member's, or a guest's after a code), the
confirmation, a member's history and thread, and a guest's thread through their link."""

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from waterportal.accounts import codes
from waterportal.accounts import texts as account_texts
from waterportal.accounts.decorators import member_page
from waterportal.accounts.forms import CodeForm, EmailForm
from waterportal.accounts.models import AccountKind, CodePurpose
from waterportal.inquiries import actions, texts
from waterportal.inquiries.forms import InquiryForm, ReplyForm
from waterportal.inquiries.models import Inquiry
from waterportal.lib.sources import client_ip
from waterportal.tenants.decorators import tenant_required

# The session of someone who is not a member: the address they gave and, once the code
# was right, when (the form is open to them for ``actions.CONFIRMED_TTL``).
GUEST_KEY = "inquiry_guest"
# The inquiry just sent, for the confirmation page.
DONE_KEY = "inquiry_done"


def _member(request):
    user = request.user
    if (
        user.is_authenticated
        and user.kind == AccountKind.MEMBER
        and user.tenant_id == request.tenant.pk
    ):
        return user
    return None


def _guest_state(request) -> dict | None:
    state = request.session.get(GUEST_KEY)
    if not isinstance(state, dict) or state.get("tenant") != request.tenant.pk:
        return None
    return state


def _confirmed_guest(request) -> str | None:
    """The guest's confirmed address while it lets them send the form, else None."""
    state = _guest_state(request)
    if not state or not state.get("confirmed_at"):
        return None
    confirmed_at = dt.datetime.fromisoformat(state["confirmed_at"])
    if confirmed_at + actions.CONFIRMED_TTL <= timezone.now():
        return None
    return state["email"]


def _done(request, inquiry: Inquiry):
    request.session[DONE_KEY] = {
        "tenant": request.tenant.pk,
        "id": inquiry.pk,
        "reference": inquiry.reference,
        "guest": inquiry.is_guest,
    }
    return redirect("inquiries:done")


@tenant_required
@never_cache
def new(request):
    """The form: 種類, 件名, 本文 and, for a member, one of their contracts. Someone who is
    not a member confirms their address with a code first (``email``, ``code``)."""
    member = _member(request)
    guest_email = None if member else _confirmed_guest(request)
    if member is None and guest_email is None:
        return redirect("inquiries:email")
    contracts = list(actions.contract_choices(member)) if member else None
    form = InquiryForm(request.POST if request.method == "POST" else None, contracts=contracts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source = client_ip(request)
        try:
            if member is not None:
                inquiry = actions.do_submit_inquiry(
                    member,
                    kind=data["kind"],
                    subject=data["subject"],
                    body=data["body"],
                    customer=form.contract(),
                    source=source,
                )
            else:
                assert guest_email is not None
                inquiry = actions.do_submit_guest_inquiry(
                    request.tenant,
                    guest_email,
                    kind=data["kind"],
                    subject=data["subject"],
                    body=data["body"],
                    source=source,
                )
                # Sent: the next person at a shared computer cannot send as this
                # address (another inquiry asks for a new code).
                request.session.pop(GUEST_KEY, None)
        except actions.Limited as exc:
            form.add_error(None, texts.limited(exc, request.tenant))
        except actions.ContractNotYours:
            form.add_error("customer", texts.contract_not_yours())
        else:
            return _done(request, inquiry)
    return render(
        request,
        "inquiries/new.html",
        {"form": form, "member": member, "guest_email": guest_email},
    )


@sensitive_post_parameters()
@tenant_required
@never_cache
def email(request):
    """Someone who is not a member: the address the answer should go to → a code."""
    if _member(request):
        return redirect("inquiries:new")
    state = _guest_state(request) or {}
    form = EmailForm(
        request.POST if request.method == "POST" else None,
        initial={"email": state.get("email", "")},
    )
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["email"]
        try:
            actions.do_request_inquiry_code(request.tenant, address, source=client_ip(request))
        except codes.SendTooSoon as exc:
            form.add_error(None, account_texts.code_send_refused(exc))
        else:
            request.session[GUEST_KEY] = {"tenant": request.tenant.pk, "email": address}
            return redirect("inquiries:code")
    return render(request, "inquiries/email.html", {"form": form})


@sensitive_post_parameters()
@tenant_required
@never_cache
def code(request):
    """The code mailed to the address: right, and the form opens."""
    state = _guest_state(request)
    if state is None:
        return redirect("inquiries:email")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.confirm_guest_email(request.tenant, state["email"], form.cleaned_data["code"])
        except codes.CodeError as exc:
            form.add_error("code", account_texts.code_refused(exc))
        else:
            # The session now lets its holder send as the address: a new key, so a
            # session id known before (fixed by someone else) is worth nothing.
            request.session.cycle_key()
            state["confirmed_at"] = timezone.now().isoformat()
            request.session[GUEST_KEY] = state
            return redirect("inquiries:new")
    current = codes.current_code(request.tenant, CodePurpose.INQUIRY, state["email"])
    return render(
        request,
        "inquiries/code.html",
        {
            "form": form,
            "email": state["email"],
            "ttl_minutes": codes.ttl_minutes(),
            "expires_at": current.expires_at if current else None,
        },
    )


@require_POST
@tenant_required
@never_cache
def resend(request):
    state = _guest_state(request)
    if state is None:
        return redirect("inquiries:email")
    account_texts.tell_code_resent(
        request,
        lambda: actions.do_request_inquiry_code(
            request.tenant, state["email"], source=client_ip(request)
        ),
    )
    return redirect("inquiries:code")


@require_safe
@tenant_required
@never_cache
def done(request):
    """Sent: the reference number, and where the answer will be."""
    sent = request.session.get(DONE_KEY)
    if not isinstance(sent, dict) or sent.get("tenant") != request.tenant.pk:
        return redirect("inquiries:new")
    return render(request, "inquiries/done.html", {"sent": sent})


@require_safe
@member_page
def history(request):
    inquiries = Inquiry.objects.filter(tenant=request.tenant, member=request.user).order_by(
        "-created_at", "-pk"
    )
    return render(request, "inquiries/history.html", {"inquiries": inquiries})


def _thread(request, inquiry: Inquiry, *, member=None, reply_url: str):
    """The thread and its reply form, for a member and for a guest alike."""
    form = ReplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_resident_reply(
                inquiry, body=form.cleaned_data["body"], member=member, source=client_ip(request)
            )
        except actions.InquiryClosed:
            form.add_error(None, texts.closed())
        except actions.Limited as exc:
            form.add_error(None, texts.limited(exc, request.tenant))
        else:
            messages.success(request, gettext("書き込みを送りました。担当者が確認して回答します。"))
            return redirect(reply_url)
    return render(
        request,
        "inquiries/thread.html",
        {
            "inquiry": inquiry,
            "thread": inquiry.messages.all(),
            "form": form,
            "member": member,
            "reply_url": reply_url,
        },
    )


@member_page
def detail(request, inquiry_id: int):
    if request.method not in ("GET", "HEAD", "POST"):
        raise Http404
    inquiry: Inquiry = get_object_or_404(
        Inquiry.objects.select_related("customer"),
        pk=inquiry_id,
        tenant=request.tenant,
        member=request.user,
    )
    return _thread(request, inquiry, member=request.user, reply_url=request.path)


@tenant_required
@never_cache
def guest_thread(request, token: str):
    if request.method not in ("GET", "HEAD", "POST"):
        raise Http404
    inquiry = actions.find_guest_inquiry(request.tenant, token)
    if inquiry is None:
        raise Http404
    return _thread(request, inquiry, reply_url=request.path)
