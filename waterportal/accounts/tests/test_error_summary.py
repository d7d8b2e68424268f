"""A form shown again with errors starts with one error summary: a box that is the alert
(not a list that is one), with a heading, each field's problem a link to the field and
the form's own problems as text; every field keeps its own error beside it.

What the browser does with it (the focus, Tab and Enter to the field, axe-core) is in
e2e/test_errors_browser.py.
"""

import datetime as dt
import re
from html.parser import HTMLParser

from waterportal.testing import make_customer, profile, register_until_code, verify


class Tags(HTMLParser):
    """Every start tag: ``(tag, attributes)``."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def summary_of(html: str) -> str:
    found = re.findall(r"<div class=\"error-summary\".*?</div>", html, re.S)
    assert len(found) == 1, f"{len(found)} error summaries"
    return found[0]


def links_of(summary: str) -> dict[str, str]:
    return {text: href for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary)}


def test_no_list_is_an_alert_or_a_status(portal):
    html = portal.post("/register", {"email": ""}).text
    for tag, attributes in Tags(html).tags:
        if tag in ("ul", "ol"):
            assert "role" not in attributes, f"<{tag} role={attributes['role']}>"


def test_the_summary_is_the_alert_that_takes_the_focus(portal):
    html = portal.post("/register", {"email": ""}).text
    box = summary_of(html)
    assert 'role="alert"' in box and 'tabindex="-1"' in box and "data-error-summary" in box
    assert '<h2 id="error-summary-title">入力内容を確認してください</h2>' in box
    assert links_of(box) == {"メールアドレスを入力してください。": "#id_email"}
    # The field's own error stays beside it, and the field points at it.
    assert 'id="id_email_error"' in html
    email = next(a for t, a in Tags(html).tags if a.get("id") == "id_email")
    assert email["aria-invalid"] == "true" and "id_email_error" in email["aria-describedby"]
    assert "data-error-summary" not in portal.get("/register").text


def test_a_problem_of_the_whole_form_is_text_without_a_link(portal, member):
    html = portal.post("/login", {"email": member.email, "password": "wrong"}).text
    box = summary_of(html)
    assert "<li>" in box and "メールアドレスまたはパスワード" in box
    assert links_of(box) == {}


def test_the_consent_and_the_relationship_link_to_their_inputs(portal):
    make_customer(portal.tenant, number="12345678", kana="スイドウ タロウ")
    register_until_code(portal)
    verify(portal)
    profile(portal)
    contract = portal.post("/register/contract", {"number": "12345678", "kana": "スイドウ タロウ"})
    assert list(links_of(summary_of(contract.text)).values()) == ["#id_agree"]
    # The 同意 is a group of its own, named by what is agreed to and read with its error;
    # the checkbox in it too.
    assert re.search(
        r'<fieldset class="consent" aria-describedby="id_agree_error">'
        r'<legend class="label">利用規約への同意',
        contract.text,
    )
    assert re.search(
        r'<input[^>]*aria-describedby="id_agree_error"[^>]*id="id_agree"', contract.text
    )
    assert 'id="id_agree_error"' in contract.text
    portal.post(
        "/register/contract", {"number": "12345678", "kana": "スイドウ タロウ", "agree": "on"}
    )
    # Nothing ticked, nothing chosen (a browser sends the two names' absence as this).
    privacy = portal.post("/register/privacy", {"relationship": ""}).text
    # Radio buttons have no element of the field's own id: the link goes to the first.
    assert list(links_of(summary_of(privacy)).values()) == ["#id_agree", "#id_relationship_0"]
    assert 'id="id_relationship_0"' in privacy
    group = re.search(
        r"<fieldset aria-describedby=\"([^\"]+)\">\s*<legend[^>]*>申込者と契約者の関係", privacy
    )
    assert group and group.group(1).split() == ["id_relationship_help", "id_relationship_error"]
    assert 'id="id_relationship_error"' in privacy
    assert '<fieldset class="consent" aria-describedby="id_agree_error">' in privacy


def test_the_messages_are_a_list_inside_their_live_region(signed_in, clock):
    # Logged out after 30 idle minutes: the login page says why, with a message.
    clock.shift(dt.timedelta(minutes=31))
    html = signed_in.get("/account", follow=True).text
    assert "30分間操作がなかった" in html
    assert re.search(r'<div role="status">\s*<ul class="messages">\s*<li class="message', html)


def test_the_console_forms_have_the_same_summary_with_what_to_do(console_as):
    manager = console_as("manager")
    html = manager.post("/staff/settings", {}).text
    box = summary_of(html)
    assert "まだ何も保存していません" in box and links_of(box)
    assert "入力に誤りがあります" not in html  # once, in the summary: not a second box
