"""One scheduler, whatever runs: two real ``celery beat`` processes against one Redis
send each periodic task once per slot (waterportal.lib.beat)."""

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from celery.beat import ScheduleEntry
from celery.schedules import crontab, schedule

from waterportal.lib.beat import slot_lock
from waterportal.testing import RedisServer, needs_redis_server

ROOT = Path(__file__).resolve().parents[2]
PROBE_SECONDS = 1.0


def beat(env: dict, log: Path) -> subprocess.Popen:
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    return subprocess.Popen(
        [celery, "-A", "waterportal", "beat", "-l", "info"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


@needs_redis_server
def test_two_beats_send_each_run_once_per_slot(tmp_path):
    redis_server = RedisServer().start()
    client = redis_server.client()
    env = dict(
        os.environ,
        REDIS_URL=redis_server.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        BEAT_PROBE_SECONDS=str(PROBE_SECONDS),
        PYTHONUNBUFFERED="1",
    )
    logs = [tmp_path / "beat0.log", tmp_path / "beat1.log"]
    beats = []
    try:
        beats.append(beat(env | {"CELERY_BEAT_SCHEDULE_FILE": str(tmp_path / "beat0")}, logs[0]))
        # The second starts half an interval later: without the lock, the two would send
        # the probe twice a second, half a second apart.
        time.sleep(PROBE_SECONDS / 2)
        beats.append(beat(env | {"CELERY_BEAT_SCHEDULE_FILE": str(tmp_path / "beat1")}, logs[1]))
        arrivals: list[float] = []
        seen = 0
        deadline = time.monotonic() + 30
        while len(arrivals) < 6 and time.monotonic() < deadline:
            count = client.llen("beat-probe")
            arrivals += [time.monotonic()] * (count - seen)
            seen = count
            time.sleep(0.02)
        texts = [log.read_text() for log in logs]
        skipped = sum(text.count("skipped: sent for this slot by another beat") for text in texts)
        sent = sum(text.count("Sending due task beat-probe") for text in texts)
    finally:
        for process in beats:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)
        redis_server.stop()

    assert len(arrivals) == 6, "the probe was not sent every second"
    assert all("beat: Starting" in text for text in texts), "both beats ran"
    assert skipped >= 4, "the second beat was not kept from sending"
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
    assert min(gaps) > PROBE_SECONDS * 0.8, f"sent twice in one slot: {gaps}"
    assert sent >= len(arrivals)


def test_the_beat_state_file_lands_in_var_not_in_the_checkout(settings):
    assert Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent == settings.VAR_DIR
    assert not list(ROOT.glob("celerybeat-schedule*"))


def test_a_crontab_run_is_locked_for_its_minute_and_an_interval_run_for_most_of_it():
    now = dt.datetime(2026, 11, 25, 1, 30, 40, tzinfo=dt.UTC)
    daily = ScheduleEntry(name="purge", schedule=crontab(hour=3, minute=30))
    assert slot_lock(daily, now) == ("beat-lock:purge:20261125T0130", 3_600_000)
    later = now + dt.timedelta(seconds=15)
    assert slot_lock(daily, later) == slot_lock(daily, now), "the same minute, the same slot"
    every_ten = ScheduleEntry(name="looks", schedule=schedule(10.0))
    assert slot_lock(every_ten, now) == ("beat-lock:looks", 9_000)
