"""The town's notices (お知らせ): the list, writing and editing with a preview as the
resident sees it, publishing or scheduling, withdrawing, the history of edits, and the
categories. 担当者 and 管理者 write; 閲覧者 read."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from waterportal.accounts.models import StaffRole
from waterportal.lib.sources import client_ip
from waterportal.notices import actions
from waterportal.notices.forms import CategoryForm, NoticeForm
from waterportal.notices.mailing import audience, recipients
from waterportal.notices.models import Notice, NoticeCategory
from waterportal.staff.decorators import staff_page

WRITERS = (StaffRole.MANAGER, StaffRole.CLERK)


def _notice(request, notice_id: int) -> Notice:
    return get_object_or_404(
        Notice.objects.select_related("category", "created_by", "updated_by"),
        pk=notice_id,
        tenant=request.tenant,
    )


@require_safe
@staff_page()
def notices(request):
    now = timezone.now()
    rows = list(
        Notice.objects.filter(tenant=request.tenant)
        .select_related("category")
        .annotate(target_count=Count("targets"))
        .order_by("-starts_at", "-pk")
    )
    for row in rows:
        row.state_now = row.state(now)  # type: ignore[attr-defined]
    return render(request, "staff/notices.html", {"notices": rows})


def _form_page(request, form, *, notice=None, preview=None, status=200):
    return render(
        request,
        "staff/notices_form.html",
        {"form": form, "notice": notice, "preview": preview},
        status=status,
    )


def _preview_of(form: NoticeForm):
    """The notice as typed, unsaved, for the preview (drawn by the residents' template)."""
    fields = form.notice_fields()
    return Notice(
        tenant=form.tenant,
        title=fields.title,
        body=fields.body,
        category=fields.category,
        important=fields.important,
        audience=fields.audience,
        starts_at=fields.starts_at,
        ends_at=fields.ends_at,
    )


@staff_page(*WRITERS)
def notice_new(request):
    if request.method != "POST":
        return _form_page(request, NoticeForm(tenant=request.tenant))
    form = NoticeForm(request.POST, request.FILES, tenant=request.tenant)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    if "preview" in request.POST:
        return _form_page(request, form, preview=_preview_of(form))
    try:
        notice = actions.do_create_notice(
            request.tenant,
            form.notice_fields(),
            actor=request.user,
            targets=form.cleaned_data["targets"],
            source=client_ip(request),
        )
    except actions.NoticeError as error:
        form.add_error(None, str(error))
        return _form_page(request, form, status=400)
    messages.success(
        request, "下書きを保存しました。内容を確かめてから「公開する」を押してください。"
    )
    return redirect("staff:notice", notice.pk)


@staff_page(*WRITERS)
def notice_edit(request, notice_id: int):
    notice = _notice(request, notice_id)
    if request.method != "POST":
        form = NoticeForm(
            initial=NoticeForm.initial_for(notice), tenant=request.tenant, editing=notice
        )
        return _form_page(request, form, notice=notice)
    form = NoticeForm(request.POST, request.FILES, tenant=request.tenant, editing=notice)
    if not form.is_valid():
        return _form_page(request, form, notice=notice, status=400)
    if "preview" in request.POST:
        return _form_page(request, form, notice=notice, preview=_preview_of(form))
    try:
        actions.do_edit_notice(
            notice,
            form.notice_fields(),
            actor=request.user,
            targets=form.cleaned_data["targets"],
            source=client_ip(request),
        )
    except actions.NoticeError as error:
        form.add_error(None, str(error))
        return _form_page(request, form, notice=notice, status=400)
    messages.success(request, "お知らせを保存しました。前の内容は「編集の履歴」に残っています。")
    return redirect("staff:notice", notice.pk)


@require_safe
@staff_page()
def notice(request, notice_id: int):
    notice = _notice(request, notice_id)
    now = timezone.now()
    members = audience(notice, now).count()
    # Who the 公開する button emails (important notices: those not emailed about it yet,
    # with the emails on), said by the button so that one click holds no surprise.
    to_email = None
    if notice.important and notice.status != Notice.Status.PUBLISHED:
        to_email = recipients(notice, now).count()
    return render(
        request,
        "staff/notices_detail.html",
        {
            "notice": notice,
            "preview": notice,
            "state": notice.state(now),
            "members": members,
            "to_email": to_email,
            "target_count": notice.targets.count(),
            "revisions": notice.revisions.select_related("edited_by"),
            "now": now,
        },
    )


@require_POST
@staff_page(*WRITERS)
def notice_publish(request, notice_id: int):
    notice = _notice(request, notice_id)
    try:
        notice = actions.do_publish_notice(notice, actor=request.user, source=client_ip(request))
    except actions.NoticeError as error:
        messages.error(request, str(error))
        return redirect("staff:notice", notice.pk)
    if notice.starts_at > timezone.now():
        when = timezone.localtime(notice.starts_at)
        messages.success(request, f"{when:%Y年%-m月%-d日 %H:%M} に公開するよう予約しました。")
    elif notice.important:
        messages.success(request, "公開しました。重要なお知らせのメールを順に送ります。")
    else:
        messages.success(request, "公開しました。")
    return redirect("staff:notice", notice.pk)


@require_POST
@staff_page(*WRITERS)
def notice_withdraw(request, notice_id: int):
    notice = _notice(request, notice_id)
    try:
        actions.do_withdraw_notice(notice, actor=request.user, source=client_ip(request))
    except actions.NoticeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "取り下げました。住民の画面には表示されません。")
    return redirect("staff:notice", notice.pk)


@staff_page()
def notice_categories(request):
    """The town's categories; 担当者 and 管理者 add one (閲覧者' POSTs are refused by
    the decorator)."""
    form = CategoryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_create_category(
                    request.tenant,
                    form.cleaned_data["name"],
                    actor=request.user,
                    source=client_ip(request),
                )
            except actions.NoticeError as error:
                form.add_error("name", str(error))
            else:
                messages.success(request, f"分類「{form.cleaned_data['name']}」を追加しました。")
                return redirect("staff:notice_categories")
        status = 400
    categories = NoticeCategory.objects.filter(tenant=request.tenant).annotate(
        count=Count("notices")
    )
    return render(
        request,
        "staff/notices_categories.html",
        {"form": form, "categories": categories},
        status=status,
    )
