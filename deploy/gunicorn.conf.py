"""gunicorn's settings for the portal: ``gunicorn -c deploy/gunicorn.conf.py waterportal.wsgi``.

Metrics with several workers: each worker is a process with its own counters, so
prometheus-client's multiprocess mode keeps them in files under PROMETHEUS_MULTIPROC_DIR,
which /metrics adds up. The directory must exist, be empty when gunicorn starts (it is
emptied here) and be the same for every worker; a worker that exits is marked dead so that
its gauges stop counting.
"""

import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))

# The access log without query strings or tokens in paths (waterportal.lib.access_log),
# with the request's id (the X-Request-ID answer header) to find its other log lines.
logger_class = "waterportal.lib.access_log.AccessLogger"
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" %({x-request-id}o)s'


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
