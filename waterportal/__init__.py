from .celery import app as celery_app
from .lib.version import __version__

__all__ = ["__version__", "celery_app"]
