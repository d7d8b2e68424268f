"""The town's 利用規約 and 個人情報の取り扱い: their versions, and publishing a new one
(管理者 only)."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from waterportal.accounts import actions
from waterportal.accounts.models import StaffRole, User
from waterportal.lib.sources import client_ip
from waterportal.staff.decorators import staff_page
from waterportal.staff.forms import TextVersionForm
from waterportal.tenants import versions
from waterportal.tenants.models import TextKind, TextVersion, normalize_label

ERRORS = {
    actions.EmptyLabel: ("label", "版の名前を入力してください（例: 2026年12月版）。"),
    actions.EmptyText: ("text", "本文を入力してください。空の本文は公開できません。"),
    actions.LabelTaken: (
        "label",
        "この版の名前はすでに使われています。別の名前にしてください（例: 2026年12月版）。",
    ),
    actions.TextUnchanged: (
        "text",
        "本文が現在の版と同じです。変更した本文を入力してください（同じ本文は公開できません）。",
    ),
}


def _page(request, form, status=200):
    tenant = request.tenant
    current = versions.current_versions(tenant)
    members = User.members.filter(tenant=tenant, is_active=True).count()
    accepted = dict(
        TextVersion.objects.filter(pk__in=[v.pk for v in current])
        .annotate(n=Count("acceptances", filter=Q(acceptances__member__is_active=True)))
        .values_list("pk", "n")
    )
    earlier = (
        TextVersion.objects.filter(tenant=tenant)
        .exclude(pk__in=[v.pk for v in current])
        .select_related("published_by")
        .order_by("-pk")
    )
    return render(
        request,
        "staff/texts.html",
        {
            "current": [(v, accepted.get(v.pk, 0)) for v in current],
            "members": members,
            "earlier": earlier,
            "form": form,
        },
        status=status,
    )


@staff_page(StaffRole.MANAGER)
def texts(request):
    """The current versions, the earlier ones, and the form for a new one; ``?kind=``
    starts the form from that text's current version."""
    initial = {}
    kind = request.GET.get("kind")
    if kind in TextKind.values:
        text = getattr(request.tenant, versions.TEXT_FIELDS[TextKind(kind)])
        initial = {"kind": kind, "text": text}
    return _page(request, TextVersionForm(initial=initial))


@require_POST
@staff_page(StaffRole.MANAGER)
def publish(request):
    """「確認する」 shows the new version beside the current one; 「公開する」 on that page
    publishes it. A refused version comes back in the form with what to do, as typed."""
    tenant = request.tenant
    if request.POST.get("step") == "edit":  # 「戻って直す」 on the confirmation
        typed = {f: request.POST.get(f, "") for f in ("kind", "label", "text")}
        return _page(request, TextVersionForm(initial=typed))
    form = TextVersionForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    kind, label, text = (form.cleaned_data[f] for f in ("kind", "label", "text"))
    try:
        if request.POST.get("step") == "publish":
            version = actions.do_publish_text_version(
                tenant, kind, label, text, actor=request.user, source=client_ip(request)
            )
        else:
            label, text, current = actions.check_text_version(tenant, kind, label, text)
    except actions.TextVersionError as error:
        publishing = request.POST.get("step") == "publish"
        if publishing and _already_published(tenant, kind, label, text):  # a second click
            messages.info(request, f"「{normalize_label(label)}」はすでに公開されています。")
            return redirect("staff:texts")
        field, message = ERRORS[type(error)]
        form.add_error(field, message)
        return _page(request, form, status=400)
    if request.POST.get("step") == "publish":
        messages.success(
            request,
            f"{version.get_kind_display()}の「{version.label}」を公開しました。"
            "会員には次のログインのときに同意をお願いします。",
        )
        return redirect("staff:texts")
    added, removed = versions.changes(current.text if current else "", text)
    return render(
        request,
        "staff/texts_confirm.html",
        {
            "kind": TextKind(kind),
            "label": label,
            "text": text,
            "current": current,
            "added": added,
            "removed": removed,
            "members": User.members.filter(tenant=tenant, is_active=True).count(),
        },
    )


def _already_published(tenant, kind: str, label: str, text: str) -> bool:
    current = next((v for v in versions.current_versions(tenant) if v.kind == kind), None)
    return (
        current is not None
        and current.label == normalize_label(label)
        and actions.normalize_text(current.text) == actions.normalize_text(text)
    )
