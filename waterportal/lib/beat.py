"""A beat that fires each periodic task once per slot, however many beats run.

Two ``celery beat`` processes started by mistake (a deploy that left the old one, two
hosts each with its own) would each send every task at its time. Each beat here first
takes a lock in Redis for the task and its slot (``SET key NX PX``): the first beat to
take it sends the task, the others skip it. The slot of a crontab entry is its minute (a
crontab fires at most once a minute); an interval entry's lock lasts 90 % of its
interval, so the task runs at most once in any such stretch, whichever beat sends it.

Why not celery-redbeat, which locks the whole beat: it keeps the schedule itself in
Redis, and after a flush of Redis it has no schedule until it is restarted; this lock
keeps the schedule where it was (the settings) and costs one Redis command per run.
Redis unreachable: no task can be sent either (the broker is the same Redis), so the
entry is skipped, as Celery would fail to send it.
"""

import datetime as dt
import logging

import redis
from celery.beat import PersistentScheduler, ScheduleEntry
from celery.schedules import crontab, schedule

log = logging.getLogger(__name__)

KEY_PREFIX = "beat-lock"


def slot_lock(entry: ScheduleEntry, now: dt.datetime) -> tuple[str, int]:
    """The lock's key and how long it is held (milliseconds) for ``entry`` due ``now``."""
    run_every = getattr(entry.schedule, "run_every", None)
    if isinstance(entry.schedule, schedule) and not isinstance(entry.schedule, crontab):
        assert run_every is not None
        return f"{KEY_PREFIX}:{entry.name}", max(1, int(run_every.total_seconds() * 900))
    minute = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M")
    return f"{KEY_PREFIX}:{entry.name}:{minute}", 3600 * 1000


class LockedScheduler(PersistentScheduler):
    """Celery's scheduler, whose every run first takes its slot's lock (see above)."""

    _redis: redis.Redis | None = None

    def _client(self) -> redis.Redis | None:
        url = self.app.conf.broker_url or ""
        if not url.startswith(("redis://", "rediss://", "unix://")):
            return None  # no Redis (development's in-memory broker): one process anyway
        if self._redis is None:
            self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        return self._redis

    def claim_slot(self, entry: ScheduleEntry) -> bool:
        client = self._client()
        if client is None:
            return True
        key, ttl_ms = slot_lock(entry, dt.datetime.now(dt.UTC))
        try:
            return bool(client.set(key, "1", nx=True, px=ttl_ms))
        except redis.RedisError as exc:
            log.warning("beat: %s skipped, Redis unreachable (%s)", entry.name, type(exc).__name__)
            return False

    def apply_entry(self, entry: ScheduleEntry, producer=None) -> None:
        if not self.claim_slot(entry):
            log.info("beat: %s skipped: sent for this slot by another beat", entry.name)
            return
        super().apply_entry(entry, producer=producer)
