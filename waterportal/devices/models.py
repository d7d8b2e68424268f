"""A member's devices: the phone apps signed in through the API, the browsers that get
push notifications, and what each device asked of the API lately.

- ``AppSignIn``: one sign-in of a phone app (``POST /api/v1/towns/{slug}/login``). The
  app holds an opaque bearer token; only its prefix (for the lookup) and a keyed hash
  are stored, as healthchecks does for its API keys. It expires, can be signed out by
  the member in their account, and may carry the app's native push token (FCM or APNs),
  which the operator's own sender uses (sending to it is outside the portal).
- ``WebPushSubscription``: a browser that a member turned notifications on for (Web
  Push, RFC 8030): the push service's address and the keys to encrypt for (RFC 8291).
  Removed by the member, or when the push service answers 404/410.
- ``ApiRequest``: the request log of an app sign-in (time, endpoint, status), which the
  member reads as 「最近の利用」 in their account.

All three belong to one town and are scoped to it (django-scopes).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager


class Platform(models.TextChoices):
    ANDROID = "android", "Android"
    IOS = "ios", "iOS"
    OTHER = "other", "その他"


class NativePush(models.TextChoices):
    FCM = "fcm", "Firebase Cloud Messaging"
    APNS = "apns", "Apple Push Notification service"


class AppSignIn(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_sign_ins"
    )
    # What the app calls the device ("Pixel 8", "iPhone"), shown in the member's account.
    name = models.CharField("端末の名前", max_length=60)
    platform = models.CharField("種類", max_length=10, choices=Platform, default=Platform.OTHER)
    # The token is "wpa_<prefix>_<secret>": the prefix finds the row, the keyed hash of
    # the whole token (salted_hmac with SECRET_KEY) proves it; the token itself is never
    # stored.
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    # A hash of the member's session auth hash when the app signed in: whatever ends the
    # member's web sessions (a new password, a reset, 退会, staff's すべての端末からログアウト)
    # changes that hash and so ends the app's sign-in too, by the same rule.
    auth_stamp = models.CharField(max_length=64)
    created_at = models.DateTimeField("ログイン日時")
    last_used_at = models.DateTimeField("最終利用日時", null=True, blank=True)
    expires_at = models.DateTimeField("有効期限")
    # Signed out: by the member, by the app's logout, by a password change or reset, by
    # the town's staff (全端末からログアウト / 停止), or by a withdrawal.
    ended_at = models.DateTimeField("ログアウト日時", null=True, blank=True)
    # The ids of the town's current 利用規約 and 個人情報の取り扱い the member was last found
    # to have accepted, as a web session remembers them (``texts_accepted``): every call
    # of the app asks, and the acceptances are read again only when a version is published.
    texts_accepted = models.JSONField("同意を確かめた規約の版", default=list, blank=True)
    # The app's own push address, for the operator's FCM/APNs sender.
    native_push = models.CharField(
        "プッシュ通知の方式", max_length=10, choices=NativePush, blank=True
    )
    native_push_token = models.CharField("プッシュ通知のトークン", max_length=4096, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "アプリのログイン"
        verbose_name_plural = "アプリのログイン"
        indexes = [models.Index(fields=["member", "ended_at"], name="appsignin_member_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(native_push="", native_push_token="")
                | (~Q(native_push="") & ~Q(native_push_token="")),
                name="appsignin_native_push_pair",
            )
        ]

    def __str__(self) -> str:
        return f"app sign-in #{self.pk}"


class WebPushSubscription(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    # Named from the browser's user agent when turned on ("Android の Chrome"), so the
    # member can tell their devices apart in the list.
    name = models.CharField("端末の名前", max_length=60)
    # The push service's address for this browser (only an allowed push service's HTTPS
    # address is accepted: the portal posts to it).
    endpoint = models.URLField("送信先", max_length=2000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=60)
    # Set when the subscription came through the API from a signed-in app, and removed
    # with that sign-in.
    app_sign_in = models.ForeignKey(
        AppSignIn, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField("登録日時")
    last_sent_at = models.DateTimeField("最終送信日時", null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "プッシュ通知の端末"
        verbose_name_plural = "プッシュ通知の端末"

    def __str__(self) -> str:
        return f"push subscription #{self.pk}"


class ApiRequest(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    app_sign_in = models.ForeignKey(AppSignIn, on_delete=models.CASCADE, related_name="requests")
    at = models.DateTimeField("日時")
    method = models.CharField(max_length=8)
    # The route, not the address: "/api/v1/towns/{slug}/contracts/{link_id}/bills", so the
    # log holds no query string and no value the member typed.
    endpoint = models.CharField("操作", max_length=200)
    status = models.PositiveSmallIntegerField("結果")

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "アプリの利用記録"
        verbose_name_plural = "アプリの利用記録"
        indexes = [models.Index(fields=["app_sign_in", "-at"], name="apirequest_recent")]

    def __str__(self) -> str:
        return f"api request #{self.pk}"
