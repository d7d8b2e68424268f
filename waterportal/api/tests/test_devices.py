"""The member's devices through the API: the apps signed in, this app's native push
address, Web Push subscriptions and the VAPID key, recent activity."""

from django.utils import timezone

from waterportal.devices.models import AppSignIn, WebPushSubscription
from waterportal.testing.api import App, problem
from waterportal.testing.push import Browser


def test_the_list_shows_this_app_and_another_one(
    signed_in_app, member, app, django_capture_on_commit_callbacks
):
    other = App(signed_in_app.tenant, django_capture_on_commit_callbacks)
    other.sign_in(member.email, device_name="iPad")
    body = signed_in_app.get("/devices").json()
    names = {(row["name"], row["current"]) for row in body["apps"]}
    assert names == {("Pixel 8", True), ("iPad", False)}


def test_signing_another_device_out_ends_its_token(
    signed_in_app, member, django_capture_on_commit_callbacks
):
    other = App(signed_in_app.tenant, django_capture_on_commit_callbacks)
    other.sign_in(member.email, device_name="iPad")
    ipad = AppSignIn.objects.get(name="iPad")
    assert signed_in_app.delete(f"/devices/{ipad.pk}").status_code == 204
    assert other.get("/me").status_code == 401
    assert signed_in_app.get("/me").status_code == 200


def test_another_members_device_is_a_404(
    signed_in_app, tenant, other_app, other_tenant, django_capture_on_commit_callbacks
):
    from waterportal.testing.factories import make_member

    someone = make_member(tenant, email="someone@example.jp", name="別の 人")
    theirs = App(tenant, django_capture_on_commit_callbacks)
    theirs.sign_in(someone.email)
    row = AppSignIn.objects.get(member=someone)
    response = signed_in_app.delete(f"/devices/{row.pk}")
    assert response.status_code == 404 and problem(response)["code"] == "not_found"
    assert theirs.get("/me").status_code == 200


def test_the_native_push_token_is_kept_for_this_device_and_cleared(signed_in_app, member):
    token = "fcm:APA91b" + "x" * 100
    assert (
        signed_in_app.put(
            "/devices/current/native-push", {"service": "fcm", "token": token}
        ).status_code
        == 204
    )
    row = AppSignIn.objects.get(member=member)
    assert (row.native_push, row.native_push_token) == ("fcm", token)
    assert signed_in_app.delete("/devices/current/native-push").status_code == 204
    row.refresh_from_db()
    assert (row.native_push, row.native_push_token) == ("", "")


def test_a_malformed_native_token_is_refused_in_japanese(signed_in_app):
    response = signed_in_app.put(
        "/devices/current/native-push", {"service": "apns", "token": "not a token!"}
    )
    assert response.status_code == 422
    assert "トークンの形式" in problem(response)["detail"]


def test_the_push_key_is_public_and_404_when_push_is_off(app, vapid):
    key = app.get("/push/key").json()["public_key"]
    assert len(key) > 80


def test_without_a_key_there_is_no_push(app, member):
    response = app.get("/push/key")
    assert response.status_code == 404 and problem(response)["code"] == "not_found"


def test_an_app_registers_web_push_and_its_logout_removes_it(signed_in_app, member, push_service):
    browser = Browser(push_service.endpoint("app-1"))
    endpoint, p256dh, auth = browser.keys()
    response = signed_in_app.post(
        "/push/subscriptions", {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
    )
    assert response.status_code == 201
    row = WebPushSubscription.objects.get(member=member)
    assert row.name == "Pixel 8" and row.app_sign_in is not None
    assert signed_in_app.post("/logout").status_code == 204
    assert not WebPushSubscription.objects.filter(member=member).exists()


def test_an_endpoint_that_is_no_push_service_is_refused(signed_in_app, member, vapid):
    browser = Browser("https://attacker.example.net/push")
    endpoint, p256dh, auth = browser.keys()
    response = signed_in_app.post(
        "/push/subscriptions", {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
    )
    assert response.status_code == 422
    assert "送り先は受け付けられません" in problem(response)["detail"]
    assert not WebPushSubscription.objects.exists()


def test_removing_a_subscription_and_another_members_is_404(signed_in_app, member, push_service):
    browser = Browser(push_service.endpoint("app-2"))
    endpoint, p256dh, auth = browser.keys()
    sid = signed_in_app.post(
        "/push/subscriptions", {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
    ).json()["id"]
    assert signed_in_app.delete(f"/push/subscriptions/{sid + 1000}").status_code == 404
    assert signed_in_app.delete(f"/push/subscriptions/{sid}").status_code == 204
    assert not WebPushSubscription.objects.exists()


def test_recent_activity_names_what_was_done(signed_in_app, link):
    signed_in_app.get(f"/contracts/{link.pk}/bills")
    activity = signed_in_app.get("/devices/activity").json()["activity"]
    assert activity[0]["what"] == "料金の履歴を表示" and activity[0]["succeeded"]
    assert activity[0]["device"] == "Pixel 8"


def test_the_other_towns_app_cannot_list_these_devices(signed_in_app, other_app):
    other_app.token = signed_in_app.token
    assert other_app.get("/devices").status_code == 401


def subscribe(app, push_service, name: str) -> None:
    endpoint, p256dh, auth = Browser(push_service.endpoint(name)).keys()
    body = {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
    assert app.post("/push/subscriptions", body).status_code == 201


def test_a_new_password_ends_the_other_apps_their_push_and_their_native_address(
    signed_in_app, member, push_service, clock
):
    from waterportal.devices.actions import open_sign_ins
    from waterportal.devices.tokens import prefix_of
    from waterportal.testing.personas import STRONG_PASSWORD

    lost = App(member.town, signed_in_app._capture)
    lost.sign_in(member.email)
    subscribe(lost, push_service, "lost-phone")
    lost.put("/devices/current/native-push", {"service": "fcm", "token": "f" * 64})
    subscribe(signed_in_app, push_service, "this-phone")

    changed = signed_in_app.post(
        "/account/password",
        {
            "current_password": STRONG_PASSWORD,
            "password1": "New-Pass-2026x",
            "password2": "New-Pass-2026x",
        },
    )
    assert changed.status_code == 204
    # The lost phone is off the device list, gets no push and its FCM address is gone;
    # this app keeps all of it.
    this = AppSignIn.objects.get(prefix=prefix_of(signed_in_app.token))
    assert [s.pk for s in open_sign_ins(member)] == [this.pk]
    pushed = WebPushSubscription.objects.filter(member=member)
    assert list(pushed.values_list("app_sign_in", flat=True)) == [this.pk]
    ended = AppSignIn.objects.exclude(pk=this.pk).get(member=member)
    assert ended.ended_at is not None and ended.native_push_token == ""
    assert [d["current"] for d in signed_in_app.get("/devices").json()["apps"]] == [True]


def test_a_password_reset_ends_every_app_and_every_browsers_push(
    signed_in_app, app, member, push_service, clock
):
    from waterportal.testing import code_from_mail

    subscribe(signed_in_app, push_service, "app")
    # A browser of the member's (no app sign-in): the password may have been someone
    # else's to use, so its notifications stop too until the member turns them on again.
    WebPushSubscription.objects.create(
        tenant=member.town,
        member=member,
        name="Chrome",
        endpoint=push_service.endpoint("browser"),
        p256dh="x",
        auth="y",
        created_at=timezone.now(),
    )
    app.post("/password-reset", {"email": member.email})
    response = app.post(
        "/password-reset/confirm",
        {
            "email": member.email,
            "code": code_from_mail(member.email),
            "password1": "Reset-Pass-2026x",
            "password2": "Reset-Pass-2026x",
        },
    )
    assert response.status_code == 204
    assert not WebPushSubscription.objects.filter(member=member).exists()
    assert not AppSignIn.objects.filter(member=member, ended_at__isnull=True).exists()
