"""Log lines as one JSON object each (``LOG_FORMAT=json``), by python-json-logger.

Fields: ``time`` (ISO 8601 in UTC, for every process and host alike), ``level``,
``logger``, ``message``, the request's ``request_id``, ``town``, ``member_id`` and
``staff_id`` (waterportal.lib.request_context), the exception's traceback when there is
one, and whatever ids the code passed as ``extra``. Never the record's ``request`` object:
its text is the whole address, query string and tokens included; nor Celery's ``data``,
a task's arguments and result (the plain format does not print them either).
"""

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

# Attributes that records of Django, runserver and Celery carry and that must not be
# written: Django's request (its text is the address with its query string), Celery's
# data (a task's arguments and return value: mail addresses, names).
_LEFT_OUT = ("request", "server_time", "color_message", "data")


def formatter() -> JsonFormatter:
    return JsonFormatter(
        ["levelname", "name", "message"],
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
        reserved_attrs=[*RESERVED_ATTRS, *_LEFT_OUT],
        json_ensure_ascii=False,
    )
