"""What the residents would receive: the mail in Django's outbox, and the codes in it."""

import re

from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives

# In Japanese and in やさしい日本語 (認証（にんしょう）コード: …).
CODE = re.compile(r"認証(?:（にんしょう）)?コード: (\d{6})")


def mails_to(address: str) -> list[EmailMessage]:
    return [m for m in mail.outbox if address in m.to]


def code_in(text: str) -> str:
    """The 認証コード a code mail's text gives."""
    found = CODE.search(text)
    assert found, f"no code in: {text}"
    return found.group(1)


def code_from_mail(address: str) -> str:
    """The 認証コード of the latest mail to ``address``."""
    return code_in(str(mails_to(address)[-1].body))


def html_of(message: EmailMessage) -> str:
    """The HTML part of a mail the portal sent: each has its text and its HTML."""
    assert isinstance(message, EmailMultiAlternatives), "a mail without an HTML part"
    content, _mimetype = message.alternatives[0]
    assert isinstance(content, str)
    return content
