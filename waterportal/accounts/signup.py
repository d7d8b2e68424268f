"""The registration flow of the town's guide, steps 2–9, as plain functions.

Views call these; they hold the rules. The flow row keeps what the resident entered
between steps (the password only as its hash) and ends 30 minutes after the last step.
"""

import datetime as dt
import secrets

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from waterportal.accounts import codes
from waterportal.accounts.code_mail import queue_code_email
from waterportal.accounts.models import CodePurpose, SignupFlow, normalize_email
from waterportal.contracts import actions as contract_actions
from waterportal.contracts.models import Customer
from waterportal.lib.kana import tidy_kana, tidy_number
from waterportal.limits import ratelimit
from waterportal.tenants.models import Tenant

FLOW_IDLE = dt.timedelta(minutes=30)

# Steps in the guide's order; each needs everything before it.
STEPS = ["email", "code", "profile", "contract", "privacy", "confirm", "done"]


class FlowExpired(Exception):
    pass


def load_flow(tenant: Tenant, key: str | None, *, now=None) -> SignupFlow:
    """The resident's flow, touched now; FlowExpired when gone or idle over 30 minutes."""
    now = now or timezone.now()
    if not key:
        raise FlowExpired()
    flow = SignupFlow.objects.filter(tenant=tenant, key=key).first()
    if flow is None:
        raise FlowExpired()
    if flow.completed_at is None and flow.touched_at < now - FLOW_IDLE:
        _forget(flow)
        raise FlowExpired()
    if flow.completed_at is None:
        flow.touched_at = now
        flow.save(update_fields=["touched_at"])
    return flow


def _forget(flow: SignupFlow) -> None:
    flow.data = {}
    flow.save(update_fields=["data"])


def next_step(flow: SignupFlow) -> str:
    """The first step the resident still has to complete."""
    d = flow.data
    if flow.completed_at:
        return "done"
    if not flow.verified_at:
        return "code"
    if not (d.get("name") and d.get("password_hash")):
        return "profile"
    if not (d.get("customer_id") and d.get("agreed_terms")):
        return "contract"
    if not (d.get("agreed_privacy") and d.get("relationship")):
        return "privacy"
    return "confirm"


def may_open(flow: SignupFlow, step: str) -> bool:
    if flow.completed_at:
        return step == "done"
    return STEPS.index(step) <= STEPS.index(next_step(flow))


@sensitive_variables("plain")
def _send_code(tenant: Tenant, email: str, *, now) -> None:
    """Send a code, or to a registered address a "you already have an account" mail.

    The page does the same for both, and the worker decides which mail to send
    (``code_mail.send_code``), so every answer of this step and of those that
    follow is the same, in content and in time, whether or not the address is
    registered.
    """
    row, plain = codes.issue_code(tenant, CodePurpose.SIGNUP, email, now=now)
    queue_code_email(row, plain)


def start(
    tenant, email: str, *, source: str, previous_key: str | None = None, now=None
) -> SignupFlow:
    """Step 2: begin (or restart with a corrected address) and send the code.

    ``source`` is the client's IP address, counted under ``ratelimit.SIGNUP_SOURCE``.
    Raises codes.SendTooSoon / SendLimitReached, in which case nothing changes.
    """
    now = now or timezone.now()
    email = normalize_email(email)
    codes.count_source_request(ratelimit.SIGNUP_SOURCE, source, now=now)
    with transaction.atomic():
        _send_code(tenant, email, now=now)
        data = {}
        if previous_key:
            old = SignupFlow.objects.filter(
                tenant=tenant, key=previous_key, completed_at__isnull=True
            ).first()
            if old is not None:
                # A corrected address keeps what was already entered (but must be verified again).
                data = {k: v for k, v in old.data.items() if k in ("name", "password_hash")}
                old.delete()
        return SignupFlow.objects.create(
            tenant=tenant,
            key=secrets.token_urlsafe(32),
            email=email,
            created_at=now,
            touched_at=now,
            data=data,
        )


def resend(flow: SignupFlow, *, source: str, now=None) -> None:
    now = now or timezone.now()
    codes.count_source_request(ratelimit.SIGNUP_SOURCE, source, now=now)
    with transaction.atomic():
        _send_code(flow.tenant, flow.email, now=now)


@sensitive_variables("code")
def verify(flow: SignupFlow, code: str, *, now=None) -> None:
    """Step 4; raises a codes.CodeError with what to do next."""
    now = now or timezone.now()
    codes.check_code(flow.tenant, CodePurpose.SIGNUP, flow.email, code, now=now)
    flow.verified_at = now
    flow.save(update_fields=["verified_at"])


@sensitive_variables("password")
def save_profile(flow: SignupFlow, name: str, password: str | None) -> None:
    """Step 5. The password is hashed at once; ``None`` keeps the one entered before."""
    flow.data["name"] = name
    if password:
        flow.data["password_hash"] = make_password(password)
    flow.save(update_fields=["data"])


def save_contract(flow: SignupFlow, number: str, kana: str, *, now=None) -> Customer:
    """Step 6: check the pair against the ledger (raises contract_actions.ContractError)."""
    customer = contract_actions.find_contract(
        flow.tenant, number, kana, flow_key=flow.key, email=flow.email, now=now
    )
    # Kept as typed but tidied (full-width digits, half-width kana), to be shown back on
    # the confirmation page the way the resident meant it.
    flow.data.update(
        customer_id=customer.pk,
        number=tidy_number(number),
        kana=tidy_kana(kana),
        agreed_terms=True,
    )
    flow.save(update_fields=["data"])
    return customer


def save_privacy(flow: SignupFlow, relationship: str) -> None:
    flow.data.update(agreed_privacy=True, relationship=relationship)
    flow.save(update_fields=["data"])


def flow_customer(flow: SignupFlow) -> Customer | None:
    customer_id = flow.data.get("customer_id")
    return (
        Customer.objects.filter(tenant=flow.tenant, pk=customer_id).first() if customer_id else None
    )
