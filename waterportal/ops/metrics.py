"""``/metrics`` for Prometheus: the counters of waterportal.lib.metrics, the mail outbox's
backlog read when scraped, and the request and Celery counts this module records.

Access: ``Authorization: Bearer <METRICS_TOKEN>`` or an address in
``METRICS_ALLOWED_NETWORKS``. With neither set, the page is a 404 in production (and open
in development). Every refusal is the same 404: the page does not say that it exists.
"""

import hmac
import ipaddress
import os
import time
from collections.abc import Iterator

from celery.signals import task_failure, task_retry, task_success
from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from waterportal.lib import metrics
from waterportal.lib.sources import client_ip
from waterportal.outbox import store as outbox_store

# --- Requests ---------------------------------------------------------------------------


class RequestMetricsMiddleware:
    """Counts and times every answer by its view's name (the first middleware, so a
    redirect or a refusal by another middleware is counted too, as ``-``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        # The pattern's name (a bounded set), never the path: a path holds ids and tokens.
        view = (match.view_name or match._func_path) if match is not None else "-"
        metrics.REQUESTS.labels(
            view=view, method=_method(request), status=response.status_code
        ).inc()
        metrics.REQUEST_SECONDS.labels(view=view).observe(time.perf_counter() - started)
        return response


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _method(request) -> str:
    return request.method if request.method in _METHODS else "other"


# --- Celery -----------------------------------------------------------------------------


@task_success.connect
def _task_succeeded(sender=None, **kwargs) -> None:
    metrics.TASKS.labels(task=_task_name(sender), result="success").inc()


@task_failure.connect
def _task_failed(sender=None, **kwargs) -> None:
    metrics.TASKS.labels(task=_task_name(sender), result="failure").inc()


@task_retry.connect
def _task_retried(sender=None, request=None, **kwargs) -> None:
    # task_retry's sender is the task's request, whose .task is the name.
    name = getattr(sender, "name", None) or getattr(sender, "task", None)
    metrics.TASKS.labels(task=name or "-", result="retry").inc()


def _task_name(task) -> str:
    return getattr(task, "name", None) or "-"


# --- The mail outbox --------------------------------------------------------------------


class OutboxCollector(Collector):
    """The backlog, read from the outbox at each scrape (not counted in a process)."""

    UNSENT = ("waterportal_outbox_unsent", "Mail messages in the outbox not sent yet.")
    OLDEST = (
        "waterportal_outbox_oldest_unsent_seconds",
        "Age of the oldest unsent message in the outbox (0 when none waits).",
    )

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Without it the registry would call collect() when the collector is registered,
        # at start-up, and read a database that may not be there yet.
        yield GaugeMetricFamily(*self.UNSENT)
        yield GaugeMetricFamily(*self.OLDEST)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            found = outbox_store.backlog()
        except DatabaseError:
            return  # the rest of the page still answers; /readyz names the database
        age = found.oldest_age.total_seconds() if found.oldest_age else 0.0
        yield GaugeMetricFamily(*self.UNSENT, value=found.unsent)
        yield GaugeMetricFamily(*self.OLDEST, value=age)


# --- The page ---------------------------------------------------------------------------


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    networks = settings.METRICS_ALLOWED_NETWORKS
    if not token and not networks:
        return settings.DEBUG
    if token:
        given = request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), token.encode()
        ):
            return True
    if networks:
        try:
            address = ipaddress.ip_address(client_ip(request))
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(n, strict=False) for n in networks)
    return False


_OUTBOX = OutboxCollector()
REGISTRY.register(_OUTBOX)


def registry() -> CollectorRegistry:
    """This process's counters, or every process's when prometheus-client runs in its
    multiprocess mode (``PROMETHEUS_MULTIPROC_DIR`` set: several gunicorn workers, each
    writing its values to files there), with the outbox's gauges."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    collected = CollectorRegistry()
    multiprocess.MultiProcessCollector(collected)
    collected.register(_OUTBOX)
    return collected


def metrics_view(request):
    if not _allowed(request):
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
