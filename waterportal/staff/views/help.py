"""The town's help (よくある質問) in the console: the entries by category, adding,
editing, deleting and reordering them, categories, the default set, and a "try the
search" box that shows what a resident would get. 担当者 and 管理者 edit; 閲覧者 read."""

from django import forms as django_forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from waterportal.accounts.models import StaffRole
from waterportal.helpcentre import actions, defaults, queries
from waterportal.helpcentre.forms import CategoryForm, EntryForm
from waterportal.helpcentre.models import HelpCategory, HelpEntry
from waterportal.lib.sources import client_ip
from waterportal.staff.decorators import staff_page

EDITORS = (StaffRole.MANAGER, StaffRole.CLERK)
MAX_QUESTION = 200


def _list_page(request, category_form=None, status=200):
    tenant = request.tenant
    question = " ".join(request.GET.get("q", "").split())[:MAX_QUESTION]
    entries = HelpEntry.objects.filter(tenant=tenant).select_related("updated_by")
    by_category: dict[int, list[HelpEntry]] = {}
    for entry in entries.order_by("order", "pk"):
        by_category.setdefault(entry.category_id, []).append(entry)
    sections = [
        (category, by_category.get(category.pk, []))
        for category in HelpCategory.objects.filter(tenant=tenant)
    ]
    have = {e.key for e in entries if e.key}
    return render(
        request,
        "staff/help.html",
        {
            "sections": sections,
            "question": question,
            "answers": queries.answers(tenant, question) if question else None,
            "category_form": category_form or CategoryForm(),
            "missing_defaults": len(set(defaults.BY_KEY) - have),
            "can_edit": request.user.staff_role in EDITORS,
            "counts": queries.search_counts(tenant),
        },
        status=status,
    )


@require_safe
@staff_page()
def help_entries(request):
    return _list_page(request)


def _entry_page(request, form, entry=None, status=200):
    return render(
        request,
        "staff/help_entry.html",
        {"form": form, "entry": entry, "is_default": bool(entry and entry.key in defaults.BY_KEY)},
        status=status,
    )


def _back(entry: HelpEntry | None = None):
    url = reverse("staff:help")
    return redirect(f"{url}#entry-{entry.pk}" if entry else url)


@staff_page(*EDITORS)
def help_new(request):
    tenant = request.tenant
    if request.method != "POST":
        initial = {}
        if category := request.GET.get("category"):
            initial["category"] = category
        return _entry_page(request, EntryForm(tenant=tenant, initial=initial))
    form = EntryForm(request.POST, tenant=tenant)
    if not form.is_valid():
        return _entry_page(request, form, status=400)
    entry = actions.do_create_entry(
        tenant, **form.cleaned_data, actor=request.user, source=client_ip(request)
    )
    messages.success(request, f"「{entry.question}」を追加しました。")
    return _back(entry)


@staff_page(*EDITORS)
def help_edit(request, entry_id: int):
    tenant = request.tenant
    entry = get_object_or_404(HelpEntry, pk=entry_id, tenant=tenant)
    if request.method != "POST":
        initial = {f: getattr(entry, f) for f in actions.ENTRY_FIELDS}
        return _entry_page(request, EntryForm(tenant=tenant, initial=initial), entry)
    form = EntryForm(request.POST, tenant=tenant)
    if not form.is_valid():
        return _entry_page(request, form, entry, status=400)
    changed = actions.do_edit_entry(
        entry, form.cleaned_data, actor=request.user, source=client_ip(request)
    )
    if changed:
        messages.success(request, f"「{entry.question}」を保存しました。")
    else:
        messages.info(request, "変更はありませんでした。")
    return _back(entry)


@require_POST
@staff_page(*EDITORS)
def help_delete(request, entry_id: int):
    entry = get_object_or_404(HelpEntry, pk=entry_id, tenant=request.tenant)
    question = entry.question
    actions.do_delete_entry(entry, actor=request.user, source=client_ip(request))
    messages.success(request, f"「{question}」を削除しました。")
    return _back()


class MoveForm(django_forms.Form):
    direction = django_forms.ChoiceField(choices=[("up", "上へ"), ("down", "下へ")])


@require_POST
@staff_page(*EDITORS)
def help_move(request, entry_id: int):
    entry = get_object_or_404(HelpEntry, pk=entry_id, tenant=request.tenant)
    form = MoveForm(request.POST)
    if form.is_valid():
        actions.do_move_entry(
            entry, form.cleaned_data["direction"], actor=request.user, source=client_ip(request)
        )
    return _back(entry)


@require_POST
@staff_page(*EDITORS)
def help_reset(request, entry_id: int):
    entry = get_object_or_404(HelpEntry, pk=entry_id, tenant=request.tenant)
    try:
        actions.do_reset_entry(entry, actor=request.user, source=client_ip(request))
    except actions.NotDefault:
        messages.error(request, "この質問は町で追加したものなので、初期の文はありません。")
        return _back(entry)
    messages.success(request, f"「{entry.question}」を初期の文に戻しました。")
    return _back(entry)


@require_POST
@staff_page(*EDITORS)
def help_add_category(request):
    form = CategoryForm(request.POST)
    if not form.is_valid():
        return _list_page(request, category_form=form, status=400)
    category = actions.do_create_category(
        request.tenant, form.cleaned_data["name"], actor=request.user, source=client_ip(request)
    )
    messages.success(request, f"分類「{category.name}」を追加しました。")
    return _back()


@require_POST
@staff_page(*EDITORS)
def help_delete_category(request, category_id: int):
    category = get_object_or_404(HelpCategory, pk=category_id, tenant=request.tenant)
    try:
        actions.do_delete_category(category, actor=request.user, source=client_ip(request))
    except actions.CategoryInUse:
        messages.error(
            request,
            f"分類「{category.name}」には質問があるため削除できません。"
            "先に質問を別の分類へ移すか、削除してください。",
        )
        return _back()
    messages.success(request, f"分類「{category.name}」を削除しました。")
    return _back()


@require_POST
@staff_page(*EDITORS)
def help_restore(request):
    added = actions.do_restore_defaults(
        request.tenant, actor=request.user, source=client_ip(request)
    )
    if added:
        messages.success(request, f"削除されていた初期の質問を{added}件戻しました。")
    else:
        messages.info(request, "初期の質問はすべてそろっています。")
    return _back()
