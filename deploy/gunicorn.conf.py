"""gunicorn's configuration for the portal: `gunicorn -c deploy/gunicorn.conf.py waterportal.wsgi`.

Read from the environment (deploy/env.example documents each variable); the same file
serves the compose file's web service and waterportal-web.service.

Metrics with several workers: each worker is a process with its own counters, so
prometheus-client's multiprocess mode keeps them in files under PROMETHEUS_MULTIPROC_DIR,
which /metrics adds up. The directory must exist, be empty when gunicorn starts (it is
emptied here) and be the same for every worker; a worker that exits is marked dead so that
its gauges stop counting.
"""

import multiprocessing
import os
import shutil
from pathlib import Path

# Where the proxy reaches the portal. Behind the compose file's Caddy: every interface of
# the container; under systemd, loopback (the proxy runs on the same machine).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Synchronous workers: every page is short (imports and mail run on Celery). gunicorn's
# own WEB_CONCURRENCY, or two per core plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))

# A request longer than this is killed (the largest upload, IMPORT_MAX_BYTES, is only
# stored by the page; the worker reads it). The proxy's own timeout must be longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Longer than the proxy's idle time would be pointless; shorter makes it reconnect.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# A worker is replaced after this many requests (a slow leak cannot grow for ever).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

# The proxies whose X-Forwarded-Proto (https) gunicorn believes. Only the proxy in front:
# anyone else could claim https. The client's address for the rate limits is read by
# the portal itself from X-Forwarded-For (TRUSTED_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The access log on standard output (journald or docker keep it), without query
# strings, link secrets or the Referer: waterportal.lib.access_log.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logger_class = "waterportal.lib.access_log.AccessLogger"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s" %({x-request-id}o)s'

# The workers' heartbeat files in memory, not on a disk that may stall (gunicorn's advice).
_SHM = "/dev/shm"  # noqa: S108 - gunicorn's heartbeat files, created by gunicorn itself
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
