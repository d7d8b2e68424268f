"""Customer-number locks: the list, and lifting one."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from waterportal.accounts.models import StaffRole
from waterportal.contracts.actions import do_unlock_number
from waterportal.contracts.models import NumberLock
from waterportal.staff.decorators import staff_page


@require_safe
@staff_page()
def locks(request):
    now = timezone.now()
    current = NumberLock.objects.filter(
        tenant=request.tenant, unlocked_at__isnull=True, until__gt=now
    ).order_by("-locked_at")
    return render(request, "staff/locks.html", {"locks": current})


@require_POST
@staff_page(StaffRole.MANAGER, StaffRole.CLERK)
def unlock(request, lock_id: int):
    lock = get_object_or_404(NumberLock, pk=lock_id, tenant=request.tenant)
    do_unlock_number(request.tenant, lock.number, actor=request.user)
    messages.success(request, f"使用者番号 {lock.number} のロックを解除しました。")
    return redirect("staff:locks")
