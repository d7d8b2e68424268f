"""Test helpers shared by every test module; no test module imports another.

Fixtures (``tenant``, ``portal``, ``member``, ``link``, ``clock``, ``signed_in``, ...) come
from the pytest plugin ``waterportal.testing.fixtures``, which the root conftest.py
registers: a test asks for them by name. Everything else is imported from here:

- ``personas``: the two towns (おうむ町 and きた市), the people in them, the suite's days
- ``factories``: ``make_member``, ``make_customer``, ``make_link``, ``make_bill``, ...
- ``browser``: ``Portal`` (a resident's browser on one town), ``sign_in``
- ``steps``: what a resident does (registration's steps, a new password), a function each
- ``mail`` and ``pages``: what the resident receives and reads
- ``pdfs``: what a tagged PDF tells a screen reader, and where its text is drawn
- ``exchange_files``: the billing system's files, written and imported
- ``servers``: real Redis and SMTP servers, and a real Celery broker
- ``hashers``: the fast password hasher the suite runs with
- ``push``: a push service on loopback (real TLS) and a browser's subscription keys
"""

from waterportal.testing.browser import (
    Portal,
    admin_add_town,
    admin_sign_in,
    choose_language,
    is_signed_in,
    sign_in,
    staff_sign_in,
)
from waterportal.testing.exchange_files import (
    BILLS,
    CUSTOMERS,
    PAYMENTS,
    Importer,
    another_import,
    bill_row,
    conninfo,
    csv_bytes,
    customer_row,
    payment_row,
    reasons,
)
from waterportal.testing.factories import (
    authenticator_code,
    make_bill,
    make_customer,
    make_history,
    make_link,
    make_member,
    make_operator,
    make_payment,
    make_staff,
)
from waterportal.testing.mail import code_from_mail, code_in, html_of, mails_to
from waterportal.testing.pages import demo_pair, pdf_text_and_ink, settings_form_of, text_of
from waterportal.testing.pdfs import (
    MM,
    PageText,
    Tagged,
    embedded_fonts,
    page_texts,
    tagged_elements,
    untagged_marks,
)
from waterportal.testing.personas import (
    HANAKO,
    JIRO,
    KITA,
    MONDAY,
    OPERATOR,
    OUMU,
    STRONG_PASSWORD,
    SUIDO,
    TARO,
    WEDNESDAY,
    Person,
    Town,
)
from waterportal.testing.push import (
    Browser,
    PushService,
    Received,
    new_vapid_key_pem,
    vapid_claims,
)
from waterportal.testing.servers import (
    REDIS_URL,
    RedisServer,
    SMTPServer,
    broker,
    free_port,
    needs_redis,
    needs_redis_server,
    redis_available,
    redis_server_available,
    smtp_mailer,
)
from waterportal.testing.steps import (
    NEW_PASSWORD,
    change_password,
    contract,
    full_registration,
    privacy,
    profile,
    register_until_code,
    verify,
)

__all__ = [
    "MM",
    "PageText",
    "Tagged",
    "embedded_fonts",
    "page_texts",
    "tagged_elements",
    "untagged_marks",
    "Browser",
    "PushService",
    "Received",
    "new_vapid_key_pem",
    "vapid_claims",
    "staff_sign_in",
    "admin_sign_in",
    "admin_add_town",
    "authenticator_code",
    "SUIDO",
    "make_staff",
    "BILLS",
    "CUSTOMERS",
    "HANAKO",
    "JIRO",
    "KITA",
    "MONDAY",
    "NEW_PASSWORD",
    "OPERATOR",
    "OUMU",
    "PAYMENTS",
    "REDIS_URL",
    "STRONG_PASSWORD",
    "TARO",
    "WEDNESDAY",
    "Importer",
    "Person",
    "Portal",
    "RedisServer",
    "SMTPServer",
    "Town",
    "another_import",
    "bill_row",
    "broker",
    "change_password",
    "choose_language",
    "code_from_mail",
    "code_in",
    "conninfo",
    "contract",
    "csv_bytes",
    "customer_row",
    "demo_pair",
    "settings_form_of",
    "free_port",
    "full_registration",
    "html_of",
    "is_signed_in",
    "make_bill",
    "make_customer",
    "make_history",
    "make_link",
    "make_member",
    "make_operator",
    "make_payment",
    "mails_to",
    "needs_redis",
    "needs_redis_server",
    "payment_row",
    "pdf_text_and_ink",
    "privacy",
    "profile",
    "reasons",
    "redis_available",
    "redis_server_available",
    "register_until_code",
    "sign_in",
    "smtp_mailer",
    "text_of",
    "verify",
]
