"""The portal started as deploy/ starts it, for the deployment checks (``make deploy-check``)
and the API check: the commands of the systemd units and the compose file, the
environment named in deploy/env.example, a throw-away PostgreSQL database, and an HTTP
client that talks to gunicorn as the TLS proxy in front of it would."""

import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
HOST = "127.0.0.1"
BIN = Path(sys.executable).parent

# What deploy/ runs, as argv after the program's directory (the systemd units name the
# virtualenv's bin/, the image has them on PATH). test_deploy_files checks that the
# units and the compose file say exactly this.
COMMANDS = {
    "web": ["gunicorn", "-c", "deploy/gunicorn.conf.py", "waterportal.wsgi"],
    "worker": ["celery", "-A", "waterportal", "worker", "-l", "info"],
    "beat": ["celery", "-A", "waterportal", "beat", "-l", "info"],
}
# What the units and the image run before starting (deploy/README.md, "Upgrading").
PREPARE = [
    ["python", "manage.py", "migrate", "--noinput"],
    ["python", "manage.py", "collectstatic", "--noinput"],
]

_ENV_LINE = re.compile(r"^#?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
# What a process needs from the machine, not from the portal's configuration.
_SYSTEM = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "CI")


def env_example_names() -> list[str]:
    """The variables deploy/env.example documents (set, or shown commented out)."""
    return _ENV_LINE.findall((DEPLOY / "env.example").read_text(encoding="utf-8"))


def deploy_env(**values: str) -> dict[str, str]:
    """A process environment of the variables given, each of which deploy/env.example
    must document (a KeyError otherwise: the example would have drifted from what runs),
    plus what the units set themselves (PYTHONPATH: the checkout)."""
    documented = set(env_example_names())
    unknown = sorted(set(values) - documented)
    if unknown:
        raise KeyError(f"not in deploy/env.example: {', '.join(unknown)}")
    env = {name: os.environ[name] for name in _SYSTEM if name in os.environ}
    env.update(values, PYTHONPATH=str(ROOT))
    return env


def argv(command: list[str]) -> list[str]:
    """``command`` with its program from this interpreter's bin/ (the virtualenv's)."""
    program = sys.executable if command[0] == "python" else str(BIN / command[0])
    return [program, *command[1:]]


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql", "psql"}


@contextmanager
def fresh_postgres_database(base_url: str, prefix: str = "waterportal_deploy") -> Iterator[str]:
    """A database of its own on ``base_url``'s server, dropped afterwards; its URL."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(base_url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def run(command: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command to its end in the checkout; a failure shows its output."""
    done = subprocess.run(  # noqa: S603 - our own commands (COMMANDS, PREPARE)
        argv(command), cwd=ROOT, env=env, capture_output=True, text=True, check=False, **kwargs
    )
    if done.returncode != 0:
        raise AssertionError(f"{shlex.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a long-running command in a process group of its own, output into ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own commands
            argv(command),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen | None, timeout: float = 30) -> None:
    """End the process group we started: SIGTERM (a warm shutdown), then SIGKILL."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_until_up(url: str, process: subprocess.Popen, log: Path | None = None, timeout=60.0):
    """Wait until ``url`` answers 200 (through the proxy's https header)."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    while time.monotonic() < deadline:
        if process.poll() is not None:
            shown = log.read_text(errors="replace") if log else ""
            raise AssertionError(f"{url}: the server exited ({process.returncode}):\n{shown}")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    shown = log.read_text(errors="replace") if log else ""
    raise AssertionError(f"{url} did not answer within {timeout}s:\n{shown}")


def wait_for_line(log: Path, text: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until ``text`` is in ``log`` (a worker's "ready", beat's first send)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise AssertionError(f"no {text!r} in {log.name}:\n{log.read_text(errors='replace')}")


class Visitor:
    """A browser's cookies and forms against gunicorn, as the TLS proxy forwards them
    (X-Forwarded-Proto: https, so the Secure ``__Host-`` cookies and the CSRF origin check
    work as in production). The cookie jar is kept by hand: http.cookiejar would never
    send a Secure cookie over the loopback's plain http."""

    def __init__(self, cookies: dict[str, str] | None = None) -> None:
        self.cookies = dict(cookies or {})

    def request(self, method: str, base: str, path: str, **kwargs) -> requests.Response:
        host = urlsplit(base).netloc
        headers = {"X-Forwarded-Proto": "https", "Host": host, **kwargs.pop("headers", {})}
        if method != "GET":
            headers["Origin"] = f"https://{host}"
            headers["Referer"] = f"https://{host}{path}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(
            method, base + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, base: str, path: str, **kwargs) -> requests.Response:
        return self.request("GET", base, path, **kwargs)

    def post_form(self, base: str, path: str, data: dict, **kwargs) -> requests.Response:
        """GET the page, then POST ``data`` with the form's CSRF token, as a browser does."""
        page = self.get(base, path)
        assert page.status_code == 200, f"GET {path}: {page.status_code}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no CSRF token on {path}"
        return self.request(
            "POST", base, path, data={"csrfmiddlewaretoken": token.group(1), **data}, **kwargs
        )


def totp_now(key_hex: str, step: int = 30, digits: int = 6) -> str:
    """The 6 digits an authenticator app shows now for the device's key (RFC 6238)."""
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(key_hex), step, 0, digits):0{digits}d}"
