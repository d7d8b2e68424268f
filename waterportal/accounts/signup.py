"""The registration flow of the town's guide, steps 2–9: the steps between the actions.

Starting it, resending its code and completing it are actions (``do_start_registration``,
``do_resend_registration_code``, ``do_register_member``). The views call the steps between
(``verify``, ``save_profile``, ``save_contract``, ``save_privacy``), which keep what the
resident entered on the flow's row (the password only as its hash); a flow ends 30
minutes after its last step.
"""

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from waterportal.accounts import codes
from waterportal.accounts.models import CodePurpose, SignupFlow
from waterportal.contracts import actions as contract_actions
from waterportal.contracts.models import Customer, Relationship
from waterportal.lib.kana import tidy_kana, tidy_number
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
    """Step 7: 個人情報の取り扱い agreed, and the relationship to the contract holder.
    Raises contract_actions.SelfTaken for 本人 when someone else is 本人 already (the
    confirmation would be refused then)."""
    customer = flow_customer(flow)
    if relationship == Relationship.SELF and customer and contract_actions.self_taken(customer):
        raise contract_actions.SelfTaken()
    flow.data.update(agreed_privacy=True, relationship=relationship)
    flow.save(update_fields=["data"])


def flow_customer(flow: SignupFlow) -> Customer | None:
    customer_id = flow.data.get("customer_id")
    return (
        Customer.objects.filter(tenant=flow.tenant, pk=customer_id).first() if customer_id else None
    )
