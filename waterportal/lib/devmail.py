"""Development mail: printed to the terminal and kept as files for the dev mailbox page.

Django ships both halves (console and file backends) but not together, so this backend
does both: each message is written to a file of its own in ``EMAIL_FILE_PATH`` (settings
points it at ``DEV_MAILBOX_DIR``) and printed, decoded, to standard output. The same
module reads the files back for the mailbox pages.
"""

import datetime as dt
import os
import secrets
import sys
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.utils import timezone

SUFFIX = ".eml"


class DevMailboxBackend(FileBackend):
    """Write every message to a new ``.eml`` file and print it readably.

    Django's file backend appends all messages of one connection to one file, named by
    the second and the connection's ``id()``; here no file is ever appended to, so the
    mailbox can list and open messages one by one.
    """

    def open(self):
        # Files are opened per message in send_messages; there is no connection to hold.
        return False

    def close(self):
        pass

    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            try:
                data = message.message().as_bytes()
                name = self._write_new_file(data)
                sys.stdout.write(format_for_terminal(name, parse(data)))
                sys.stdout.flush()
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent

    def _write_new_file(self, data: bytes) -> str:
        # Names sort by time of writing; the random part keeps two messages of the same
        # microsecond apart, and "x" mode refuses to reuse an existing file regardless.
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S-%f")
        while True:
            name = f"{stamp}-{secrets.token_hex(4)}{SUFFIX}"
            try:
                with open(os.path.join(self.file_path, name), "xb") as f:
                    f.write(data)
            except FileExistsError:
                continue
            return name


@dataclass(frozen=True)
class StoredMail:
    """One message of the development mailbox, decoded for display."""

    name: str
    date: dt.datetime | None
    sender: str
    to: str
    subject: str
    text: str
    has_html: bool
    attachments: list[str] = field(default_factory=list)


def parse(data: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(data)


def _header(msg: EmailMessage, name: str) -> str:
    # policy.default decodes RFC 2047 words (=?utf-8?b?...?=) into readable text.
    value = msg.get(name)
    return "" if value is None else str(value)


def _date(msg: EmailMessage) -> dt.datetime | None:
    try:
        date = parsedate_to_datetime(_header(msg, "Date"))
    except (TypeError, ValueError):
        return None
    return date if date.tzinfo is not None else None


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, UnicodeError):  # unknown or wrong charset: show what we can
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


def decode(name: str, msg: EmailMessage) -> StoredMail:
    return StoredMail(
        name=name,
        date=_date(msg),
        sender=_header(msg, "From"),
        to=_header(msg, "To"),
        subject=_header(msg, "Subject"),
        text=_text(msg),
        has_html=msg.get_body(preferencelist=("html",)) is not None,
        attachments=[a.get_filename() or "(名前なし)" for a in msg.iter_attachments()],
    )


def format_for_terminal(name: str, msg: EmailMessage) -> str:
    mail = decode(name, msg)
    rule = "-" * 79
    return (
        f"{rule}\n"
        f"From: {mail.sender}\nTo: {mail.to}\nSubject: {mail.subject}\n"
        f"Date: {_header(msg, 'Date')}\nFile: {name}\n\n"
        f"{mail.text.rstrip()}\n{rule}\n"
    )


def mailbox_names(directory) -> list[str]:
    """The files in the mailbox ``directory``, newest first; [] if it does not exist."""
    try:
        entries = os.listdir(directory)
    except FileNotFoundError:
        return []
    names = [
        n for n in entries if not n.startswith(".") and os.path.isfile(os.path.join(directory, n))
    ]
    return sorted(names, reverse=True)


def list_mails(directory, limit: int = 200) -> list[StoredMail]:
    return [_read(directory, name) for name in mailbox_names(directory)[:limit]]


def read_mail(directory, name: str) -> StoredMail | None:
    """The message stored as ``name``, or None.

    ``name`` comes from the address bar: it is used only if it is exactly one of the
    names listed in ``directory``, so no path (``..``, ``/``) can lead elsewhere.
    """
    if name not in mailbox_names(directory):
        return None
    return _read(directory, name)


def _read(directory, name: str) -> StoredMail:
    with open(os.path.join(directory, name), "rb") as f:
        return decode(name, parse(f.read()))
