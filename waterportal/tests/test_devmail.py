import datetime as dt
import os

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives

pytestmark = pytest.mark.urls("waterportal.tests.urls")

BACKEND = "waterportal.lib.devmail.DevMailboxBackend"
SUBJECT = "【おうむ町】認証コードのお知らせ"
BODY = "認証コードは 482915 です。\n10分以内に入力してください。\n<b>太字ではありません</b>\n"


@pytest.fixture
def mailbox(settings, tmp_path):
    directory = tmp_path / "mailbox"
    # As settings.py has it for development (the test runner swaps in locmem).
    settings.MAILERS = {"default": {"BACKEND": BACKEND, "OPTIONS": {"file_path": str(directory)}}}
    settings.DEV_MAILBOX_DIR = directory
    settings.DEBUG = True
    return directory


def send(subject=SUBJECT, body=BODY, to="山田 太郎 <taro@example.jp>"):
    message = EmailMultiAlternatives(subject, body, to=[to])
    message.attach_alternative(f"<p>{body}</p>", "text/html")
    message.send()


def test_each_message_goes_into_its_own_file_even_within_the_same_second(mailbox):
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC), tick=False):
        connection = mail.mailers["default"]
        with connection:
            connection.send_messages(
                [mail.EmailMessage(f"件名{n}", "本文", to=["a@example.jp"]) for n in range(3)]
            )
        connection.send_messages([mail.EmailMessage("件名3", "本文", to=["a@example.jp"])])

    files = sorted(os.listdir(mailbox))
    assert len(files) == 4
    for name in files:
        assert (mailbox / name).read_bytes().count(b"\nSubject: ") == 1


def test_each_message_is_printed_decoded_to_stdout(mailbox, capsys):
    send()

    out = capsys.readouterr().out
    assert f"Subject: {SUBJECT}" in out
    assert "認証コードは 482915 です。" in out
    assert "taro@example.jp" in out


def test_the_mailbox_lists_messages_newest_first_with_readable_subjects(client, mailbox):
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC), tick=False):
        send(subject="【おうむ町】古いお知らせ")
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 5, tzinfo=dt.UTC), tick=False):
        send(subject=SUBJECT)

    response = client.get("/dev/mailbox/")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.index(SUBJECT) < body.index("【おうむ町】古いお知らせ")
    assert "2026-11-25 18:05:00" in body  # shown in Japan time
    assert "山田 太郎 &lt;taro@example.jp&gt;" in body
    assert "=?utf-8?" not in body
    assert 'name="viewport"' in body


def test_the_message_page_shows_the_decoded_text_body_escaped(client, mailbox):
    send()
    (name,) = os.listdir(mailbox)

    response = client.get(f"/dev/mailbox/{name}")

    assert response.status_code == 200
    body = response.content.decode()
    assert SUBJECT in body
    assert "<pre" in body
    assert "認証コードは 482915 です。\n10分以内に入力してください。" in body
    assert "&lt;b&gt;太字ではありません&lt;/b&gt;" in body
    assert "<b>太字ではありません</b>" not in body


def test_an_empty_or_missing_mailbox_says_so(client, mailbox):
    response = client.get("/dev/mailbox/")
    assert response.status_code == 200
    assert "メールはまだありません" in response.content.decode()


def test_a_name_not_in_the_mailbox_is_404(client, mailbox):
    send()
    assert client.get("/dev/mailbox/nosuchfile.eml").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/dev/mailbox/..%2Fsecret.txt",
        "/dev/mailbox/..%2F..%2Fsecret.txt",
        "/dev/mailbox/%2E%2E%2Fsecret.txt",
        "/dev/mailbox/..%5Csecret.txt",
        "/dev/mailbox/..",
    ],
)
def test_a_path_outside_the_mailbox_is_404(client, mailbox, path):
    send()
    (mailbox.parent / "secret.txt").write_text("Subject: secret\n\nsecret body\n")

    response = client.get(path)

    assert response.status_code == 404
    assert "secret body" not in response.content.decode()


def test_the_message_view_refuses_traversal_even_when_routed_directly(rf, mailbox):
    from django.http import Http404

    from waterportal.views import dev_mailbox_message

    send()
    (mailbox.parent / "secret.txt").write_text("Subject: secret\n\nsecret body\n")

    with pytest.raises(Http404):
        dev_mailbox_message(rf.get("/"), "../secret.txt")


def test_the_mailbox_pages_are_404_when_debug_is_off(client, mailbox, settings):
    send()
    (name,) = os.listdir(mailbox)
    settings.DEBUG = False

    assert client.get("/dev/mailbox/").status_code == 404
    assert client.get(f"/dev/mailbox/{name}").status_code == 404


@pytest.mark.urls("waterportal.urls")
def test_the_portal_routes_no_mailbox_when_debug_is_off(client, settings):
    settings.DEBUG = False
    assert client.get("/dev/mailbox/").status_code == 404
