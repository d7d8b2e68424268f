"""The member's push notifications (この端末に通知する): turning them on for this browser,
and removing a device from the list on the notifications page (``account.notifications``).

The browser subscribes in ``static/js/push.js`` and posts what it got here, as a form
with its CSRF token; removing is a plain form, which works without JavaScript.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_POST

from waterportal.accounts.decorators import member_page
from waterportal.devices import push
from waterportal.devices.actions import (
    PushRefused,
    do_remove_push_subscription,
    do_subscribe_push,
    push_subscriptions,
)
from waterportal.lib.sources import client_ip

NO_SUBSCRIPTION = gettext_noop(
    "このブラウザーから通知の登録が届きませんでした。もう一度お試しください。"
)


def push_context(request) -> dict:
    """What the notifications page shows of push: the key to subscribe with (None when
    push is off, and the section is not shown), and this member's devices."""
    key = push.public_key()
    devices = list(push_subscriptions(request.user)) if key else []
    return {"push_key": key, "push_devices": devices}


@require_POST
@member_page
def subscribe(request):
    endpoint = request.POST.get("endpoint", "")
    if not endpoint:
        messages.error(request, gettext(NO_SUBSCRIPTION))
        return redirect("accounts:account_notifications")
    try:
        do_subscribe_push(
            request.user,
            endpoint,
            request.POST.get("p256dh", ""),
            request.POST.get("auth", ""),
            name=push.device_name(request.headers.get("user-agent", "")),
            source=client_ip(request),
        )
    except PushRefused as exc:
        messages.error(request, gettext(str(exc)))
    else:
        messages.success(request, gettext("この端末で通知を受け取るようにしました。"))
    return redirect("accounts:account_notifications")


@require_POST
@member_page
def remove(request, subscription_id: int):
    """「削除」: this member's device only; another's (or another town's) is a 404."""
    device = get_object_or_404(push_subscriptions(request.user), pk=subscription_id)
    do_remove_push_subscription(request.user, device.pk, source=client_ip(request))
    messages.success(request, gettext("端末への通知を削除しました。"))
    return redirect("accounts:account_notifications")
