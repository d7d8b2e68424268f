"""Schemathesis against the API's served document (what `.ci/run` runs: `make api-check`).

A throw-away SQLite database gets two towns' data (``waterportal.testing.api_check``);
gunicorn serves the portal with production settings on loopback; Schemathesis reads
``/api/v1/openapi.json`` from it and sends every operation generated requests,
authenticated as おうむ町's member, with a fixed budget of examples per operation. It
fails on any 5xx and on any answer the document does not describe (status, content type,
headers, body), and on schema-invalid input that is accepted.

Three operations would undo the check's own ground after their first success: the
logout and signing a device out (ending its token), and removing the contract (whose bills the other operations read).
They are left out here and tested in ``waterportal/api/tests``. Withdrawal and a new
password need the member's password, which generated requests never have: they stay in,
and answer 422.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# waterportal.testing (whose process helpers this shares with the deploy check) loads
# the models: Django's apps must be ready first. Nothing here opens the database.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waterportal.settings")
import django  # noqa: E402

django.setup()

from waterportal.testing.servers import free_port  # noqa: E402
from waterportal.testing.stack import wait_until_up  # noqa: E402

HOST = "127.0.0.1"
MAX_EXAMPLES = int(os.environ.get("API_CHECK_EXAMPLES", "25"))
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "ignored_auth",
    ]
)
# By operationId: what signs the check out (see above).
LEFT_OUT = ["logout", "sign_out_device", "contract_remove"]


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="api-check-"))
    port, smtp_port = free_port(), free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        # A real SMTP server that takes every message (the registration and reset codes).
        EMAIL_URL=f"smtp://{HOST}:{smtp_port}",
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="ERROR",
        REDIS_URL="",
        # SQLite and inline tasks under DEBUG=false: allowed knowingly (waterportal.ops.checks).
        ALLOW_SINGLE_HOST="true",
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="waterportal.settings",
    )
    python = sys.executable
    server = None
    smtp = subprocess.Popen(
        [
            python,
            "-m",
            "aiosmtpd",
            "-n",
            "-c",
            "aiosmtpd.handlers.Sink",
            "-l",
            f"{HOST}:{smtp_port}",
        ]
    )
    try:
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        # Production's static files come from the manifest collectstatic writes (var/).
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        out = subprocess.run(
            [
                python,
                "-c",
                "import django, json; django.setup(); "
                "from waterportal.testing.api_check import seed; print(json.dumps(seed()))",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        data = json.loads(out.strip().splitlines()[-1])
        gunicorn = Path(python).with_name("gunicorn")
        server = subprocess.Popen(
            [str(gunicorn), "-b", f"{HOST}:{port}", "-w", "2", "--log-level", "warning"]
            + ["waterportal.wsgi"],
            cwd=ROOT,
            env=env,
        )
        base = f"http://{HOST}:{port}"
        wait_until_up(base + "/api/v1/openapi.json", server, timeout=120)
        config = tmp / "schemathesis.toml"
        config.write_text(
            "[parameters]\n"
            f'slug = "{data["slug"]}"\n'
            f"link_id = {data['link_id']}\n"
            f'month = "{data["month"]}"\n'
            f"notice_id = {data['notice_id']}\n"
            f"inquiry_id = {data['inquiry_id']}\n"
        )
        command = [
            str(Path(python).with_name("schemathesis")),
            "--config-file",
            str(config),
            "run",
            base + "/api/v1/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            str(MAX_EXAMPLES),
            "--header",
            f"Authorization: Bearer {data['token']}",
            "--header",
            "X-Forwarded-Proto: https",
            "--workers",
            "2",
            "--seed",
            "2026",
            "--suppress-health-check",
            "all",
        ]
        for operation in LEFT_OUT:
            command += ["--exclude-operation-id", operation]
        print(f"== schemathesis: {MAX_EXAMPLES} examples per operation, checks {CHECKS}")
        return subprocess.run(command, cwd=tmp, env=env).returncode
    finally:
        for process in (server, smtp):
            if process is not None:
                process.terminate()
                process.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
