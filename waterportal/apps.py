from django.apps import AppConfig
from django.core import signals


class WaterportalConfig(AppConfig):
    name = "waterportal"
    verbose_name = "水道ポータル"

    def ready(self) -> None:
        from waterportal.lib import (
            after_response,
            request_context,  # (also carries the request's id into its tasks)
        )
        from waterportal.ops import (
            checks,  # noqa: F401  (registers the system checks)
            metrics,  # noqa: F401  (counts the Celery tasks' ends)
            sentry,
        )

        signals.request_started.connect(after_response.request_started)
        signals.request_finished.connect(after_response.request_finished)
        # After after_response's: the work done once the answer is sent has the request's id.
        signals.request_started.connect(request_context.clear)
        signals.request_finished.connect(request_context.clear)
        # Here, not in settings: the web's processes and the worker's both pass here.
        sentry.init()
