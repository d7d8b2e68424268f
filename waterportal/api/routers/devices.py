"""The member's devices through the API: the apps signed in (and signing one out), this
app's native push address (FCM/APNs), Web Push subscriptions, the VAPID key, and the
recent activity the account page shows. The same actions as the account page."""

import datetime as dt
import re

from django.utils.translation import gettext
from ninja import Path, Router, Schema, Status
from pydantic import Field

from waterportal.api import auth
from waterportal.api.common import TOWN, slug_param, source
from waterportal.api.problems import Problem, errors
from waterportal.devices import actions as device_actions
from waterportal.devices import activity, push
from waterportal.devices.models import AppSignIn, NativePush, Platform

router = Router(tags=["端末・通知"])


class AppSignInOut(Schema):
    id: int = Field(description="端末の番号")
    name: str = Field(description="端末の名前")
    platform: Platform = Field(description="端末の種類")
    signed_in_at: dt.datetime = Field(description="ログインした日時")
    last_used_at: dt.datetime | None = Field(description="最後に使った日時")
    current: bool = Field(description="この端末（このトークン）なら true")


class PushDeviceOut(Schema):
    id: int = Field(description="プッシュ通知の登録の番号")
    name: str = Field(description="ブラウザー・端末の名前")
    created_at: dt.datetime = Field(description="登録した日時")


class DevicesOut(Schema):
    apps: list[AppSignInOut] = Field(description="アプリでログインしている端末")
    push: list[PushDeviceOut] = Field(description="プッシュ通知を受け取るブラウザー・端末")


class ActivityOut(Schema):
    at: dt.datetime = Field(description="日時")
    device: str = Field(description="端末の名前")
    what: str = Field(description="操作（日本語）")
    succeeded: bool = Field(description="成功したら true")


class ActivityListOut(Schema):
    activity: list[ActivityOut] = Field(description="最近の利用（新しい順、最大20件）")


class NativePushIn(Schema):
    service: NativePush = Field(description="通知の方式（fcm または apns）")
    token: str = Field(
        min_length=8,
        max_length=4096,
        description="FCM の登録トークン、または APNs のデバイストークン",
    )


class PushKeysIn(Schema):
    p256dh: str = Field(max_length=200, description="ブラウザーの公開鍵（base64url）")
    auth: str = Field(max_length=60, description="認証用の秘密（base64url）")


class PushSubscriptionIn(Schema):
    endpoint: str = Field(max_length=2000, description="プッシュサービスの送り先（https）")
    keys: PushKeysIn = Field(description="PushSubscription.toJSON() の keys")
    name: str = Field(default="", max_length=60, description="端末の名前（一覧に表示）")


class PushSubscriptionOut(Schema):
    id: int = Field(description="プッシュ通知の登録の番号")


class PushKeyOut(Schema):
    public_key: str = Field(description="VAPID の公開鍵（applicationServerKey、base64url）")


# Tokens of FCM and APNs: printable ASCII without spaces (APNs: hex; FCM: base64url and ':').
TOKEN_FORM = re.compile(r"[A-Za-z0-9_:\-.]+")


@router.get(
    TOWN + "/devices",
    auth=auth.member,
    response={200: DevicesOut, **errors(401, 403, 404)},
    summary="端末の一覧（アプリのログインとプッシュ通知）",
    operation_id="list_devices",
)
def list_devices(request, slug: str = slug_param()):
    member, current = request.member, request.app_sign_in
    return DevicesOut(
        apps=[
            AppSignInOut(
                id=row.pk,
                name=row.name,
                platform=row.platform,
                signed_in_at=row.created_at,
                last_used_at=row.last_used_at,
                current=row.pk == current.pk,
            )
            for row in device_actions.open_sign_ins(member)
        ],
        push=[
            PushDeviceOut(id=row.pk, name=row.name, created_at=row.created_at)
            for row in device_actions.push_subscriptions(member)
        ],
    )


@router.delete(
    TOWN + "/devices/{int:device_id}",
    auth=auth.member_before_texts,
    response={204: None, **errors(401, 404)},
    summary="端末をログアウトさせる",
    description="アカウントの画面の「この端末をログアウト」と同じです。ほかの会員の端末は 404。",
    operation_id="sign_out_device",
)
def sign_out_device(
    request, device_id: int = Path(..., description="端末の番号"), slug: str = slug_param()
):
    row = AppSignIn.objects.filter(
        tenant=request.tenant, member=request.member, pk=device_id, ended_at__isnull=True
    ).first()
    if row is None:
        raise Problem("not_found", gettext("この端末は見つかりません。"))
    device_actions.do_sign_out_app(
        row, by_member_elsewhere=row.pk != request.app_sign_in.pk, source=source(request)
    )
    return Status(204, None)


@router.put(
    TOWN + "/devices/current/native-push",
    auth=auth.member,
    response={204: None, **errors(401, 403, 404, 422)},
    summary="この端末のプッシュ通知のトークン（FCM / APNs）を登録",
    description="アプリの通知の送り先を登録します。送信は運用者の設定によります。",
    operation_id="set_native_push",
)
def set_native_push(request, payload: NativePushIn, slug: str = slug_param()):
    if not TOKEN_FORM.fullmatch(payload.token):
        message = gettext("通知のトークンの形式が正しくありません。")
        raise Problem("invalid_input", message, errors=[{"field": "token", "message": message}])
    device_actions.do_set_native_push(request.app_sign_in, payload.service, payload.token)
    return Status(204, None)


@router.delete(
    TOWN + "/devices/current/native-push",
    auth=auth.member,
    response={204: None, **errors(401, 403, 404)},
    summary="この端末のプッシュ通知のトークンを削除",
    operation_id="clear_native_push",
)
def clear_native_push(request, slug: str = slug_param()):
    device_actions.do_set_native_push(request.app_sign_in, "", "")
    return Status(204, None)


@router.get(
    TOWN + "/devices/activity",
    auth=auth.member,
    response={200: ActivityListOut, **errors(401, 403, 404)},
    summary="最近の利用（アプリからの操作の記録）",
    operation_id="device_activity",
)
def device_activity(request, slug: str = slug_param()):
    return ActivityListOut(
        activity=[
            ActivityOut(
                at=row.at,
                device=row.app_sign_in.name,
                what=str(activity.described(row)),
                succeeded=activity.succeeded(row),
            )
            for row in device_actions.recent_requests(request.member)
        ]
    )


@router.get(
    TOWN + "/push/key",
    response={200: PushKeyOut, **errors(404)},
    summary="Web Push の公開鍵（VAPID）",
    description="pushManager.subscribe の applicationServerKey。プッシュ通知を使えない設定なら 404。",
    operation_id="push_public_key",
)
def push_public_key(request, slug: str = slug_param()):
    key = push.public_key()
    if key is None:
        raise Problem("not_found", gettext("この水道ポータルでは、プッシュ通知を使えません。"))
    return PushKeyOut(public_key=key)


@router.post(
    TOWN + "/push/subscriptions",
    auth=auth.member,
    response={201: PushSubscriptionOut, **errors(401, 403, 404, 422)},
    summary="Web Push の送り先を登録（この端末で通知を受け取る）",
    description="新しい請求と重要なお知らせを通知します（金額・名前・番号は含みません）。",
    operation_id="subscribe_push",
)
def subscribe_push(request, payload: PushSubscriptionIn, slug: str = slug_param()):
    try:
        row = device_actions.do_subscribe_push(
            request.member,
            payload.endpoint,
            payload.keys.p256dh,
            payload.keys.auth,
            name=payload.name or request.app_sign_in.name,
            app_sign_in=request.app_sign_in,
            source=source(request),
        )
    except device_actions.PushRefused as exc:
        message = gettext(str(exc))
        raise Problem(
            "invalid_input", message, errors=[{"field": "endpoint", "message": message}]
        ) from exc
    return Status(201, PushSubscriptionOut(id=row.pk))


@router.delete(
    TOWN + "/push/subscriptions/{int:subscription_id}",
    auth=auth.member,
    response={204: None, **errors(401, 403, 404)},
    summary="Web Push の送り先を削除",
    operation_id="remove_push_subscription",
)
def remove_push_subscription(
    request,
    subscription_id: int = Path(..., description="プッシュ通知の登録の番号"),
    slug: str = slug_param(),
):
    if not device_actions.do_remove_push_subscription(
        request.member, subscription_id, source=source(request)
    ):
        raise Problem("not_found", gettext("この端末は見つかりません。"))
    return Status(204, None)
