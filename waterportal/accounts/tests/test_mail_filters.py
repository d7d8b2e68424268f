"""Every 「メールが届かない場合」 names the address the code comes from and its domain, as
configured, with where each phone carrier's setting is to allow it."""

from django.test import override_settings

from waterportal.testing import STRONG_PASSWORD, choose_language, register_until_code, text_of

SENDER = "おうむ町 水道ポータル <mizu-info@portal.oumu.example.jp>"


def carriers_say(text: str, address: str, domain: str) -> None:
    assert f"送信元のアドレス {address}" in text
    assert f"ドメイン（@より後ろ） {domain}" in text
    assert f"「受信/拒否設定」を開き、「受信設定」に {domain} を登録します" in text  # docomo
    assert f"「迷惑メールフィルター」の設定で「受信リスト設定」を開き、{domain} を" in text  # au
    assert f"「受信許可リスト」を開き、{domain} を登録します" in text  # SoftBank


@override_settings(DEFAULT_FROM_EMAIL=SENDER)
def test_the_registration_code_step_names_the_configured_sender(portal):
    register_until_code(portal)
    text = text_of(portal.get("/register/code"))
    carriers_say(text, "mizu-info@portal.oumu.example.jp", "portal.oumu.example.jp")
    assert "おうむ町 水道ポータル <" not in text


@override_settings(DEFAULT_FROM_EMAIL="noreply@mail.kita.example.jp")
def test_a_bare_sender_address_is_named_as_it_is(portal, member):
    portal.post("/password-reset", {"email": member.email})
    text = text_of(portal.get("/password-reset/code"))
    carriers_say(text, "noreply@mail.kita.example.jp", "mail.kita.example.jp")


@override_settings(DEFAULT_FROM_EMAIL=SENDER)
def test_the_new_address_code_step_names_the_sender_too(signed_in):
    signed_in.post(
        "/account/email", {"email": "new@example.jp", "current_password": STRONG_PASSWORD}
    )
    text = text_of(signed_in.get("/account/email/code"))
    carriers_say(text, "mizu-info@portal.oumu.example.jp", "portal.oumu.example.jp")


@override_settings(DEFAULT_FROM_EMAIL=SENDER)
def test_in_english_the_carriers_and_the_domain_are_named(portal):
    choose_language(portal.client, "en")
    register_until_code(portal)
    text = text_of(portal.get("/register/code"))
    assert "Sender address mizu-info@portal.oumu.example.jp" in text
    assert "add portal.oumu.example.jp" in text and "SoftBank" in text
