"""The town's inquiry inbox: the list by state, an inquiry's page (a look on record),
assigning, answering and closing (管理者 and 担当者; 閲覧者 read)."""

from django.contrib import messages
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from waterportal.accounts.models import StaffRole, User
from waterportal.inquiries import actions as inquiry_actions
from waterportal.inquiries.forms import AnswerForm
from waterportal.inquiries.models import WAITING, Inquiry, Status
from waterportal.inquiries.waiting import waiting_rows
from waterportal.lib.sources import client_ip
from waterportal.staff import actions
from waterportal.staff.decorators import staff_page

ACTING = (StaffRole.MANAGER, StaffRole.CLERK)
# The inbox's tabs: a state each, and the caller's own open inquiries.
TABS = [
    ("new", "未対応"),
    ("in_progress", "対応中"),
    ("answered", "回答済み"),
    ("closed", "完了"),
    ("mine", "自分の担当"),
]
PAGE_SIZE = 100


def _inbox(tenant, tab: str, staff: User):
    inquiries = Inquiry.objects.filter(tenant=tenant).select_related("assigned_to")
    if tab == "mine":
        return (
            inquiries.filter(assigned_to=staff)
            .exclude(status=Status.CLOSED)
            # The waiting ones first, the longest waiting first (SQLite and PostgreSQL
            # put the NULLs of the answered ones at different ends unless told).
            .order_by(F("waiting_since").asc(nulls_last=True), "-answered_at", "pk")
        )
    inquiries = inquiries.filter(status=tab)
    if tab in WAITING:
        return inquiries.order_by("waiting_since", "pk")  # the longest waiting first
    if tab == Status.ANSWERED:
        return inquiries.order_by("-answered_at", "-pk")
    return inquiries.order_by("-closed_at", "-pk")


@require_safe
@staff_page()
def inbox(request):
    tab = request.GET.get("tab", "new")
    if tab not in dict(TABS):
        tab = "new"
    today = timezone.localdate()
    found = list(_inbox(request.tenant, tab, request.user)[: PAGE_SIZE + 1])
    counts = {
        status: Inquiry.objects.filter(tenant=request.tenant, status=status).count()
        for status in (Status.NEW, Status.IN_PROGRESS)
    }
    shown = found[:PAGE_SIZE]
    # The list shows subjects and who asked (the subject is the resident's free text):
    # a look, on record, of the inquiries shown.
    actions.do_record_staff_look(
        request.user,
        "staff_listed_inquiries",
        source=client_ip(request),
        tab=tab,
        found=len(shown),
        inquiries=[i.pk for i in shown],
    )
    return render(
        request,
        "staff/inquiries.html",
        {
            "tabs": TABS,
            "tab": tab,
            "rows": waiting_rows(request.tenant, shown, today),
            "more": len(found) > PAGE_SIZE,
            "counts": counts,
            "target_days": request.tenant.inquiry_target_days,
        },
    )


def _inquiry(request, inquiry_id: int) -> Inquiry:
    return get_object_or_404(
        Inquiry.objects.select_related("member", "customer", "assigned_to"),
        pk=inquiry_id,
        tenant=request.tenant,
    )


def _page(request, inquiry: Inquiry, *, answer_form=None, status=200):
    """The inquiry's page: its thread and the resident's address or account, so every
    rendering of it (an answer sent back for a correction too) is a look, on record."""
    actions.do_record_staff_look(
        request.user,
        "staff_viewed_inquiry",
        source=client_ip(request),
        member=inquiry.member,
        inquiry=inquiry.pk,
        reference=inquiry.reference,
    )
    (row,) = waiting_rows(request.tenant, [inquiry], timezone.localdate())
    can_act = request.user.staff_role in ACTING
    return render(
        request,
        "staff/inquiries_detail.html",
        {
            "inquiry": inquiry,
            "waited": row.days,
            "thread": inquiry.messages.select_related("author"),
            "can_act": can_act,
            "staff_choices": inquiry_actions.acting_staff(request.tenant) if can_act else [],
            "answer_form": answer_form or AnswerForm(),
        },
        status=status,
    )


@require_safe
@staff_page()
def inquiry(request, inquiry_id: int):
    return _page(request, _inquiry(request, inquiry_id))


@require_POST
@staff_page(*ACTING)
def assign(request, inquiry_id: int):
    found = _inquiry(request, inquiry_id)
    raw = request.POST.get("staff", "")
    assignee = (
        request.user
        if raw == "me"
        else inquiry_actions.acting_staff(request.tenant)
        .filter(pk=raw if raw.isdigit() else 0)
        .first()
    )
    if assignee is None:
        messages.error(request, "担当者を一覧から選んでください。")
        return redirect("staff:inquiry", found.pk)
    inquiry_actions.do_assign(found, assignee, actor=request.user, source=client_ip(request))
    name = "自分" if assignee == request.user else (assignee.name or assignee.email)
    messages.success(request, f"{found.reference}の担当者を{name}にしました。")
    return redirect("staff:inquiry", found.pk)


@require_POST
@staff_page(*ACTING)
def answer(request, inquiry_id: int):
    found = _inquiry(request, inquiry_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _page(request, found, answer_form=form)
    inquiry_actions.do_answer(
        found, body=form.cleaned_data["body"], actor=request.user, source=client_ip(request)
    )
    messages.success(request, f"{found.reference}に回答しました。住民にメールでお知らせしました。")
    return redirect("staff:inquiry", found.pk)


@require_POST
@staff_page(*ACTING)
def set_status(request, inquiry_id: int):
    found = _inquiry(request, inquiry_id)
    status = request.POST.get("status", "")
    if status not in inquiry_actions.BY_HAND:
        # 回答済み comes with an answer only; anything else is not a state at all.
        messages.error(
            request,
            "この状態にはできません。回答済みにするには、「回答する」の欄から回答を送ってください。"
            if status == Status.ANSWERED
            else "状態を選んでください。",
        )
        return _page(request, found, status=400)
    inquiry_actions.do_set_status(found, status, actor=request.user, source=client_ip(request))
    messages.success(request, f"{found.reference}を「{Status(status).label}」にしました。")
    return redirect("staff:inquiry", found.pk)


@require_POST
@staff_page(*ACTING)
def close(request, inquiry_id: int):
    found = _inquiry(request, inquiry_id)
    inquiry_actions.do_close(found, actor=request.user, source=client_ip(request))
    messages.success(request, f"{found.reference}を完了にしました。")
    return redirect("staff:inquiries")
