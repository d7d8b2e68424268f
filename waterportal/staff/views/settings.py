"""The town's settings, its closed days, and publishing the town (管理者 only)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from waterportal.accounts.models import StaffRole
from waterportal.lib.sources import client_ip
from waterportal.staff import town_actions
from waterportal.staff.decorators import staff_page
from waterportal.staff.town_forms import ClosedDayForm, TownSettingsForm
from waterportal.tenants.models import ClosedDay, Tenant


def _jdate(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _page(request, tenant: Tenant, form=None, day_form=None):
    today = timezone.localdate()
    return render(
        request,
        "staff/settings.html",
        {
            "form": form or TownSettingsForm(tenant=tenant),
            "day_form": day_form or ClosedDayForm(),
            "closed_days": tenant.closed_days.filter(date__gte=today).order_by("date"),
        },
    )


@staff_page(StaffRole.MANAGER)
def settings(request):
    # A fresh copy: a refused form must not leave request.tenant (the page's own header
    # and colour) half changed.
    tenant = Tenant.objects.get(pk=request.tenant.pk)
    if request.method != "POST":
        return _page(request, tenant)
    form = TownSettingsForm(request.POST, request.FILES, tenant=tenant)
    if not form.is_valid():
        return _page(request, tenant, form=form)
    after = town_actions.do_change_tenant_settings(
        tenant, form.changes(), actor=request.user, source=client_ip(request)
    )
    messages.success(
        request,
        "設定を保存しました。" if after else "変更はありませんでした（保存済みの設定のままです）。",
    )
    return redirect("staff:settings")


@require_POST
@staff_page(StaffRole.MANAGER)
def add_closed_day(request):
    tenant = request.tenant
    day_form = ClosedDayForm(request.POST)
    if day_form.is_valid():
        day = day_form.cleaned_data["date"]
        try:
            town_actions.do_add_closed_day(
                tenant,
                day,
                day_form.cleaned_data["reason"],
                actor=request.user,
                source=client_ip(request),
            )
        except town_actions.ClosedDayTaken:
            day_form.add_error(
                "date", f"{_jdate(day)}はすでに休業日です。別の日を入力してください。"
            )
        else:
            messages.success(request, f"{_jdate(day)}を休業日にしました。")
            return redirect("staff:settings")
    return _page(request, Tenant.objects.get(pk=tenant.pk), day_form=day_form)


@require_POST
@staff_page(StaffRole.MANAGER)
def remove_closed_day(request, day_id: int):
    closed = get_object_or_404(ClosedDay, pk=day_id, tenant=request.tenant)
    town_actions.do_remove_closed_day(
        request.tenant, closed, actor=request.user, source=client_ip(request)
    )
    messages.success(request, f"{_jdate(closed.date)}を休業日から外しました。")
    return redirect("staff:settings")


@require_POST
@staff_page(StaffRole.MANAGER)
def publish(request):
    published = town_actions.do_publish_tenant(
        request.tenant, actor=request.user, source=client_ip(request)
    )
    messages.success(
        request,
        "公開しました。住民が登録・ログインできるようになりました。"
        if published
        else "すでに公開しています。",
    )
    return redirect("staff:home")
