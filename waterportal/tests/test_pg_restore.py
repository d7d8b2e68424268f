"""A backup as deploy/README.md takes it (`pg_dump -Fc`) restored as it says
(`pg_restore` into a new database) serves the same member the same bills. PostgreSQL
only: skipped on SQLite, run in CI's PostgreSQL pass."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from waterportal.testing.deploy_seed import history_csv, seed
from waterportal.testing.stack import ROOT, fresh_postgres_database

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump backups are PostgreSQL's"
)


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        PGHOST=db["HOST"] or "127.0.0.1",
        PGPORT=str(db["PORT"] or 5432),
        PGUSER=db["USER"] or "postgres",
    )
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_restored_into_a_new_database_serves_the_same_members_bills(tmp_path):
    data = seed()
    before = history_csv(data["slug"], data["email"], data["password"], data["link_id"])
    for amount in data["amounts"]:
        assert str(amount) in before or f"{amount:,}" in before

    dump = tmp_path / "waterportal.dump"
    env = _pg_env()
    subprocess.run(
        ["pg_dump", "-Fc", "-f", str(dump), connection.settings_dict["NAME"]], env=env, check=True
    )
    db = connection.settings_dict
    base = f"postgres://{env['PGUSER']}@{env['PGHOST']}:{env['PGPORT']}/postgres"
    if db["PASSWORD"]:
        base = base.replace("@", f":{db['PASSWORD']}@", 1)
    with fresh_postgres_database(base, prefix="waterportal_restore") as url:
        name = url.rsplit("/", 1)[1]
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", name, str(dump)],
            env=env,
            check=True,
        )
        portal_env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        portal_env.update(DATABASE_URL=url, PYTHONPATH=str(ROOT))
        code = (
            "import django, json; django.setup()\n"
            "from waterportal.testing.deploy_seed import history_csv\n"
            f"print(json.dumps(history_csv({data['slug']!r}, {data['email']!r}, "
            f"{data['password']!r}, {data['link_id']})))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=portal_env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == before
