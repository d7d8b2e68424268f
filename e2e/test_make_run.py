"""`make run` as a newcomer runs it: the demo town is prepared, served and explained, and
running it again keeps the database (nothing is re-imported, nothing is lost)."""

import re
import shutil
import urllib.request

import pytest

from e2e.conftest import (
    REPO,
    TENANT,
    fresh_database,
    manage,
    portal_env,
    start,
    stop,
    table_counts,
    wait_until_up,
)
from waterportal.testing import free_port

pytestmark = pytest.mark.e2e


def make_run(env, port: int, log):
    """`make run` on ``port``. The install step is taken as done (`make test` did it), so
    the test neither reaches a package index nor depends on the file times of a checkout."""
    make = shutil.which("make")
    assert make, "make is needed for `make run`"
    command = [make, "--no-print-directory", "-o", ".venv/.installed", "run", f"PORT={port}"]
    process = start([*command, "HOST=127.0.0.1"], env=env, log=log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process, log, timeout=60)
        with urllib.request.urlopen(  # noqa: S310 - loopback
            f"http://127.0.0.1:{port}/login?tenant={TENANT}", timeout=10
        ) as response:
            page = response.read().decode()
    finally:
        stop(process)
    return log.read_text(), page


def test_make_run_serves_the_demo_town_and_a_second_run_keeps_the_database(tmp_path):
    if not (REPO / ".venv" / "bin" / "python").exists():
        pytest.skip("`make run` uses the project's .venv; run `make install` first")
    with fresh_database(tmp_path) as database_url:
        env = portal_env(database_url)

        output, page = make_run(env, free_port(), tmp_path / "first.log")
        assert "デモの自治体「おうむ町」を作りました" in output, output
        assert f"/login?tenant={TENANT}" in output
        assert re.search(r"使用者番号 \d{4}-\d{4} / カナ氏名 \S", output), output
        assert "初めての方はこちら" in page
        first = table_counts(env)
        assert first["Tenant"] == 1 and first["Customer"] >= 100 and first["Bill"] > 0

        # Something made after the first run, as a resident or an operator would.
        manage("create_tenant", "kita", "--name", "きた市", env=env)
        before = table_counts(env)

        output, page = make_run(env, free_port(), tmp_path / "second.log")
        assert "すでにあります（何も変更していません）" in output, output
        assert "初めての方はこちら" in page
        assert table_counts(env) == before
