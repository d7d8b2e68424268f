"""Development mail: printed to the terminal and kept as files for the dev mailbox page.

Django ships both halves (console and file backends) but not together, so this backend
writes each message through both.
"""

import sys

from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class DevMailboxBackend(FileBackend):
    def _get_filename(self):
        # One file per message (the parent class appends every message of a connection
        # to one file), so the mailbox page can list and open them one by one.
        self._fname = None
        return super()._get_filename()

    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            self._fname = None
            sent += super().send_messages([message])
            self.close()
        ConsoleBackend(stream=sys.stdout).send_messages(email_messages)
        return sent
