"""Registration, following the town's guide step by step (steps 2–9)."""

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from waterportal.accounts import actions, codes, signup, texts
from waterportal.accounts.forms import CodeForm, ContractForm, EmailForm, PrivacyForm, ProfileForm
from waterportal.accounts.passwords import rules_text
from waterportal.contracts import actions as contract_actions
from waterportal.lib.sources import client_ip
from waterportal.tenants.decorators import tenant_required

SESSION_KEY = "signup_flow"
STEP_URLS = {
    "email": "accounts:register",
    "code": "accounts:register_code",
    "profile": "accounts:register_profile",
    "contract": "accounts:register_contract",
    "privacy": "accounts:register_privacy",
    "confirm": "accounts:register_confirm",
    "done": "accounts:register_done",
}
# The numbered progress bar shown above each step (the guide's 会員情報①②③ and 確認).
PROGRESS = [("profile", "①"), ("contract", "②"), ("privacy", "③"), ("confirm", _("確認"))]


def to_step(step: str):
    return redirect(STEP_URLS[step])


def flow_step(step: str):
    """Load the resident's flow for ``step``; send them where they belong otherwise."""

    def decorator(view):
        @wraps(view)
        @tenant_required
        @never_cache
        def wrapper(request, *args, **kwargs):
            try:
                flow = signup.load_flow(request.tenant, request.session.get(SESSION_KEY))
            except signup.FlowExpired:
                request.session.pop(SESSION_KEY, None)
                messages.warning(request, texts.FLOW_EXPIRED)
                return to_step("email")
            if not signup.may_open(flow, step):
                return to_step(signup.next_step(flow))
            return view(request, flow, *args, **kwargs)

        return wrapper

    return decorator


def step_context(flow, step: str, **extra) -> dict:
    order = [s for s, _ in PROGRESS]
    current = order.index(step) if step in order else -1
    progress = [
        {"label": label, "state": "current" if i == current else "done" if i < current else ""}
        for i, (_s, label) in enumerate(PROGRESS)
    ]
    return {"flow": flow, "progress": progress} | extra


@sensitive_post_parameters()
@tenant_required
@never_cache
def register(request):
    """Step 2: the email address → 「認証コードの送信」."""
    previous_key = request.session.get(SESSION_KEY)
    initial = {}
    if previous_key and request.method == "GET" and request.GET.get("fix"):
        flow = signup.SignupFlow.objects.filter(tenant=request.tenant, key=previous_key).first()
        if flow:
            initial["email"] = flow.email
    form = EmailForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            flow = actions.do_start_registration(
                request.tenant,
                form.cleaned_data["email"],
                source=client_ip(request),
                previous_key=previous_key,
            )
        except codes.SendTooSoon as exc:
            form.add_error(None, texts.code_send_refused(exc))
        else:
            request.session[SESSION_KEY] = flow.key
            return to_step("code")
    return render(request, "accounts/register_email.html", {"form": form})


@sensitive_post_parameters()
@flow_step("code")
def register_code(request, flow):
    """Steps 3–4: the code was mailed; enter it → 「次へ」."""
    if flow.verified_at and request.method == "GET":
        return to_step(signup.next_step(flow))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signup.verify(flow, form.cleaned_data["code"])
        except codes.CodeError as exc:
            form.add_error("code", texts.code_refused(exc))
        else:
            return to_step("profile")
    current = codes.current_code(flow.tenant, "signup", flow.email)
    return render(
        request,
        "accounts/register_code.html",
        {
            "form": form,
            "flow": flow,
            "ttl_minutes": codes.ttl_minutes(),
            "expires_at": current.expires_at if current else None,
        },
    )


@require_POST
@flow_step("code")
def register_resend(request, flow):
    texts.tell_code_resent(
        request, lambda: actions.do_resend_registration_code(flow, source=client_ip(request))
    )
    return to_step("code")


@sensitive_post_parameters()
@flow_step("profile")
def register_profile(request, flow):
    """Step 5, 会員情報①: お名前 and パスワード twice."""
    has_password = bool(flow.data.get("password_hash"))
    form = ProfileForm(
        request.POST or None,
        initial={"name": flow.data.get("name", "")},
        tenant=flow.tenant,
        email=flow.email,
        has_password=has_password,
    )
    if request.method == "POST" and form.is_valid():
        signup.save_profile(
            flow, form.cleaned_data["name"], form.cleaned_data.get("password1") or None
        )
        return to_step("contract")
    return render(
        request,
        "accounts/register_profile.html",
        step_context(
            flow, "profile", form=form, rules=rules_text(request.tenant), has_password=has_password
        ),
    )


@sensitive_post_parameters()
@flow_step("contract")
def register_contract(request, flow):
    """Step 6, 会員情報②: 使用者番号 and カナ氏名 as on the 検針票; 利用規約 「同意する」."""
    initial = {"number": flow.data.get("number", ""), "kana": flow.data.get("kana", "")}
    if flow.data.get("agreed_terms"):
        initial["agree"] = True
    form = ContractForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            signup.save_contract(flow, form.cleaned_data["number"], form.cleaned_data["kana"])
        except contract_actions.ContractError as exc:
            form.add_error(None, texts.contract_refused(exc, request.tenant))
        else:
            return to_step("privacy")
    return render(
        request, "accounts/register_contract.html", step_context(flow, "contract", form=form)
    )


@flow_step("privacy")
def register_privacy(request, flow):
    """Step 7, 会員情報③: 個人情報の取り扱い 「同意する」 and the relationship → 「確認」."""
    initial = {"relationship": flow.data.get("relationship")}
    if flow.data.get("agreed_privacy"):
        initial["agree"] = True
    form = PrivacyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            signup.save_privacy(flow, form.cleaned_data["relationship"])
        except contract_actions.SelfTaken as exc:
            form.add_error("relationship", texts.contract_refused(exc, request.tenant))
        else:
            return to_step("confirm")
    return render(
        request, "accounts/register_privacy.html", step_context(flow, "privacy", form=form)
    )


@flow_step("confirm")
def register_confirm(request, flow):
    """Step 8: everything entered, each part correctable → 「登録」."""
    error = None
    if request.method == "POST":
        try:
            actions.do_register_member(flow.key, request.tenant)
        except actions.EmailTaken:
            error = texts.EMAIL_TAKEN
        except contract_actions.ContractError as exc:
            messages.error(request, texts.contract_refused(exc, request.tenant))
            return to_step("privacy")
        except signup.FlowExpired:
            request.session.pop(SESSION_KEY, None)
            messages.warning(request, texts.FLOW_EXPIRED)
            return to_step("email")
        else:
            return to_step("done")
    customer = signup.flow_customer(flow)
    return render(
        request,
        "accounts/register_confirm.html",
        step_context(
            flow, "confirm", customer=customer, error=error, login_url=reverse("accounts:login")
        ),
    )


@flow_step("done")
def register_done(request, flow):
    """Step 9: registration complete, and the exact date usage and charges appear."""
    active_from = dt.date.fromisoformat(flow.data["active_from"])
    return render(
        request,
        "accounts/register_done.html",
        {"active_from": active_from, "active_from_text": texts.japanese_date(active_from)},
    )
