"""The portal's Prometheus metrics (prometheus-client), counted where things happen.

``/metrics`` (waterportal.ops.metrics) shows them. With several gunicorn workers each is a
process of its own: ``PROMETHEUS_MULTIPROC_DIR`` set (to an empty directory, before the
processes start) makes prometheus-client keep the values in files there, which the page
adds up. Labels take values from small fixed sets only: view names, status codes, the
import kinds, task names, towns' slugs; never an address, an id or a path.
"""

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "waterportal_http_requests",
    "Requests answered, by view (the URL pattern's name), method and status code.",
    ["view", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "waterportal_http_request_duration_seconds",
    "Time to answer a request, by view.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
IMPORTS = Counter(
    "waterportal_imports",
    "Exchange-file imports finished, by kind and result (succeeded, rejected, failed).",
    ["kind", "result"],
)
IMPORT_ROWS_PER_SECOND = Histogram(
    "waterportal_import_rows_per_second",
    "Rows per second of the imports that succeeded, by kind.",
    ["kind"],
    buckets=(100, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000),
)
TASKS = Counter(
    "waterportal_celery_tasks",
    "Celery tasks ended, by task name and result (success, failure, retry).",
    ["task", "result"],
)
LOGINS = Counter(
    "waterportal_logins",
    "Members' logins (web and app), by town and method (password, link).",
    ["town", "method"],
)
REGISTRATIONS = Counter(
    "waterportal_registrations",
    "Members registered, by town.",
    ["town"],
)


def count_import(kind: str, result: str, rows: int = 0, seconds: float = 0.0) -> None:
    IMPORTS.labels(kind=kind, result=result).inc()
    if result == "succeeded" and rows and seconds > 0:
        IMPORT_ROWS_PER_SECOND.labels(kind=kind).observe(rows / seconds)
