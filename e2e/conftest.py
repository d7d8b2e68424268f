"""End-to-end fixtures: a real portal process, a real SMTP server and a real phone browser.

Nothing here shares the test process's database or settings. The portal runs as
``manage.py runserver`` on a fresh database (SQLite in tmp, or a throw-away PostgreSQL
database when ``DATABASE_URL`` points at PostgreSQL), seeded with ``manage.py seed_demo``
exactly as ``make run`` seeds it, and sends its mail to an ``aiosmtpd`` server in this
process, the way the municipality's real mail server would receive it.

Chromium is Debian's ``chromium`` found on PATH. Without it the tests are skipped on a
developer's machine but fail when ``CI`` is set, so CI can never skip them silently.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from waterportal.testing import demo_pair, free_port
from waterportal.testing.stack import fresh_postgres_database, is_postgres

REPO = Path(__file__).resolve().parents[1]
TENANT = "oumu"
PHONE = {"width": 360, "height": 740}
# 200 % zoom on that phone: the page gets half the CSS pixels.
ZOOMED = {"width": 180, "height": 370}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str):
    """Skip on a developer's machine; fail in CI, where a skip would hide a broken set-up."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the end-to-end tests must run)", pytrace=False)
    pytest.skip(reason)


# --- Mail -----------------------------------------------------------------------------


@dataclass
class Mail:
    to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()


@dataclass
class MailSink:
    """What the SMTP server received, decoded as a mail program would decode it."""

    port: int = 0
    mails: list[Mail] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        raw = envelope.original_content or envelope.content
        mail = Mail(list(envelope.rcpt_tos), message_from_bytes(raw, policy=policy.default))
        with self._cond:
            self.mails.append(mail)
            self._cond.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(
        self, to: str, subject_contains: str, *, after: int = 0, timeout: float = 15
    ) -> Mail:
        """The first mail to ``to`` whose subject contains the text, among mails[after:]."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for mail in self.mails[after:]:
                    if to in mail.to and subject_contains in mail.subject:
                        return mail
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(m.to, m.subject) for m in self.mails]
                    raise AssertionError(f"no mail to {to} about {subject_contains!r}; got {seen}")
                self._cond.wait(left)


@pytest.fixture(scope="session")
def smtp():
    from aiosmtpd.controller import Controller

    # aiosmtpd logs every SMTP command at INFO; a failure report needs none of it.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = MailSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port, enable_SMTPUTF8=True)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


# --- Database and the portal process ------------------------------------------------


@contextmanager
def fresh_database(tmp_dir: Path):
    """A database nobody else uses: SQLite in ``tmp_dir`` by default.

    When DATABASE_URL names PostgreSQL (CI's second pass), the portal gets a database of
    its own on that server, created here and dropped afterwards, so the browser flow also
    runs on what production runs, without touching pytest-django's test database.
    """
    base = os.environ.get("DATABASE_URL", "")
    if not is_postgres(base):
        yield f"sqlite:///{tmp_dir / 'e2e.sqlite3'}"
        return
    with fresh_postgres_database(base, prefix="waterportal_e2e") as url:
        yield url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("e2e-db")) as url:
        yield url


def portal_env(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # No Celery worker runs here: without REDIS_URL the portal sends mail inline.
    for name in ("REDIS_URL", "EMAIL_URL", "SITE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    env.update(DEBUG="true", DATABASE_URL=database_url, PYTHONUNBUFFERED="1", **extra)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> str:
    """Run ``manage.py`` as an operator would; its output, or a failure showing it."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def table_counts(env: dict[str, str]) -> dict[str, int]:
    """Rows of what the demo and a registration create, read through Django (any database)."""
    code = (
        "import json\n"
        "from django_scopes import scopes_disabled\n"
        "from waterportal.accounts.models import User\n"
        "from waterportal.billing.models import Bill, Payment\n"
        "from waterportal.contracts.models import Customer, Link\n"
        "from waterportal.exchange.models import ImportRun\n"
        "from waterportal.tenants.models import Tenant\n"
        "with scopes_disabled():\n"
        "    print(json.dumps({m.__name__: m.objects.count() for m in "
        "(Tenant, Customer, Bill, Payment, ImportRun, User, Link)}))\n"
    )
    return json.loads(manage("shell", "-c", code, env=env).strip().splitlines()[-1])


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the portal exited ({process.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout}s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    """End the process group we started (runserver, or make and its runserver)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def start(command: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 - our own commands
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


@dataclass
class Portal:
    base_url: str
    env: dict[str, str]
    log: Path  # what runserver printed: requests, and the traceback of any 500
    number: str  # the demo 使用者番号 as seed_demo prints it, e.g. 1010-0001
    kana: str  # the demo カナ氏名 in katakana, e.g. スズキ カズコ
    seed_output: str

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture(scope="session")
def portal(database_url, smtp, tmp_path_factory):
    """The portal as `make run` prepares it, reachable on a free loopback port."""
    work = tmp_path_factory.mktemp("e2e-portal")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = portal_env(database_url, EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}", SITE_URL=base_url)

    manage("migrate", "--noinput", "-v0", env=env)
    seed_output = manage("seed_demo", "--dir", str(work / "demo"), env=env)
    number, kana = demo_pair(seed_output)

    log = work / "runserver.log"
    process = start(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        log=log,
    )
    try:
        wait_until_up(f"{base_url}/healthz", process, log)
        yield Portal(base_url, env, log, number, kana.strip(), seed_output)
    finally:
        stop(process)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test shows the end of the portal's log (a 500's traceback is there)."""
    report = yield
    portal = getattr(item, "funcargs", {}).get("portal")
    if report.failed and call.when == "call" and isinstance(portal, Portal):
        lines = portal.log.read_text(errors="replace").splitlines()[-60:]
        report.sections.append(("portal log (last 60 lines)", "\n".join(lines)))
    return report


# --- The phone --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        _unavailable("Debian's chromium is not installed (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    return path


@pytest.fixture
def phone(chromium_path, tmp_path):
    """A 360×740 touch phone in Japanese, with a profile of its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            user_data_dir=tmp_path / "chromium-profile",
            executable_path=chromium_path,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="ja-JP",
            timezone_id="Asia/Tokyo",
        )
        context.set_default_timeout(10_000)
        # Whatever a page did that the Content-Security-Policy refused (an inline script,
        # a style or image from elsewhere): chromium says so on the console.
        refused: list[str] = []
        context.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        try:
            yield context
        finally:
            context.close()
        assert not refused, f"the Content-Security-Policy refused: {refused}"


# Finger-sized: everything a resident taps is at least this tall, in CSS pixels.
MIN_TARGET = 44
TAP_TARGETS = (
    "button, a.btn, label.choice, "
    "input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select"
)


class Screen:
    """The phone's one tab, with the checks every page it shows must pass."""

    def __init__(self, page, shots: Path):
        self.page = page
        self.shots = shots
        self.shots.mkdir(parents=True, exist_ok=True)

    def shows(self, heading: str) -> None:
        from playwright.sync_api import expect

        expect(self.page.get_by_role("heading", level=1)).to_have_text(heading)
        self.page.wait_for_load_state("load")

    def check(self, name: str, *, zoom: bool = False) -> None:
        """No horizontal scrolling and finger-sized targets; at 200 % zoom too if asked."""
        self._fits(PHONE["width"], name)
        self._targets_are_large(name)
        self._shot(name)
        if zoom:
            self.page.set_viewport_size(ZOOMED)
            try:
                self._fits(ZOOMED["width"], f"{name} at 200 %")
                self._shot(f"{name}-zoom200")
            finally:
                self.page.set_viewport_size(PHONE)

    def _fits(self, width: int, name: str) -> None:
        layout = self.page.evaluate(
            """() => ({
                scrollWidth: document.documentElement.scrollWidth,
                innerWidth: window.innerWidth,
                wide: [...document.querySelectorAll("body *")]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                    .slice(0, 5)
                    .map(e => `${e.tagName.toLowerCase()}.${e.className}: ${e.textContent.trim().slice(0, 30)}`),
            })"""
        )
        # innerWidth must be the emulated width itself: a mobile browser that zoomed out to
        # fit a too-wide page would report a larger one and hide the overflow.
        assert layout["innerWidth"] == width, f"{name}: viewport is {layout['innerWidth']} px"
        assert layout["scrollWidth"] <= layout["innerWidth"], (
            f"{name}: scrolls sideways at {width} px "
            f"(content {layout['scrollWidth']} px wide; {layout['wide']})"
        )

    def _targets_are_large(self, name: str) -> None:
        # A link inside a sentence may be as tall as its line (WCAG 2.5.8's inline
        # exception); a link standing on its own (「パスワードをお忘れの方」, the
        # confirmation's 「…を修正する」, the header's town name) is a target like a button.
        small = self.page.evaluate(
            """([selector, min]) => {
                const inSentence = a => [...a.parentNode.childNodes]
                    .some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
                const links = [...document.querySelectorAll("a[href]")].filter(a => !inSentence(a));
                return [...new Set([...document.querySelectorAll(selector), ...links])]
                    .filter(e => e.offsetParent !== null)
                    .map(e => [e.textContent.trim() || e.name || e.tagName, e.getBoundingClientRect().height])
                    .filter(([, h]) => h < min);
            }""",
            [TAP_TARGETS, MIN_TARGET],
        )
        assert not small, f"{name}: targets smaller than {MIN_TARGET} px: {small}"

    def _shot(self, name: str) -> None:
        number = len(list(self.shots.glob("*.png"))) + 1
        self.page.screenshot(path=self.shots / f"{number:02d}-{name}.png", full_page=True)


# A script for ``manage.py shell -c``: a member of the demo town (``tenant``) linked to two
# contracts nobody else has, active for a month; it prints the id of the first link.
MAKE_MEMBER = """
import datetime as dt
from django.utils import timezone
from django_scopes import scopes_disabled
from waterportal.accounts.models import User
from waterportal.contracts.models import Customer, Link
from waterportal.tenants import versions
from waterportal.tenants.models import Tenant
with scopes_disabled():
    tenant = Tenant.objects.get(slug={tenant!r})
    member = User.objects.create_user({email!r}, {password!r}, tenant=tenant, name="水道 次郎")
    versions.record_acceptance(member, versions.current_versions(tenant), now=timezone.now())
    taken = Link.objects.values_list("customer_id", flat=True)
    customers = Customer.objects.filter(tenant=tenant, status="使用中").exclude(pk__in=taken)[:2]
    for customer in customers:
        Link.objects.create(tenant=tenant, member=member, customer=customer, relationship="家族",
                            created_at=timezone.now() - dt.timedelta(days=40),
                            active_from=timezone.localdate() - dt.timedelta(days=30))
    print("link", Link.objects.filter(member=member).order_by("pk").first().pk)
"""


# --- The demo town's staff console and axe-core, shared by the browser tests ---

DESKTOP = {"width": 1280, "height": 800}
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

# seed_demo prints ten recovery codes for the demo 管理者. Each is taken once, and an
# authenticator code only once in its 30 seconds, so every test that signs in to the
# console of the one portal has a code of its own.
RECOVERY_CODE = {
    "staff-enrolment": 0,
    "staff-texts": 1,
    "inquiries": 7,
    "notices": 8,
    "helpcentre": 9,
}


# Every page state axe_clean checked in this run, with its result: written at the end of
# the run for each town's アクセシビリティ方針 page (settings.ACCESSIBILITY_REPORT).
AXE_STATES: list[dict] = []
AXE_ENGINE: dict[str, str] = {}


def axe_clean(page, name: str) -> None:
    """No violation of axe-core's WCAG 2.1 A/AA rules on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_21_AA)
    _record_axe_state(page, name, results)
    assert results.violations_count == 0, f"{name}:\n" + results.generate_report()


def _record_axe_state(page, name: str, results) -> None:
    import re

    engine = results.response.get("testEngine") or {}
    if engine.get("version"):
        AXE_ENGINE["version"] = str(engine["version"])
    # The address's path only, a long segment (a token in the address) left out.
    path = re.sub(r"/[^/]{20,}", "/…", urlsplit(page.url).path)
    viewport = page.viewport_size or {}
    AXE_STATES.append(
        {
            "name": name,
            "path": path,
            "width": viewport.get("width"),
            "violations": results.violations_count,
            "rules": sorted({v["id"] for v in results.response["violations"]}),
        }
    )


def pytest_sessionfinish(session, exitstatus):
    """The run's axe-core result, for the アクセシビリティ方針 pages: written only by a run
    that checked pages (a run of other tests leaves the last result as it was)."""
    if not AXE_STATES:
        return
    import datetime as dt

    from django.conf import settings

    version = AXE_ENGINE.get("version")
    report = {
        "tested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tool": f"axe-core {version}" if version else "axe-core",
        "rules": WCAG_21_AA["runOnly"]["values"],
        "states": AXE_STATES,
    }
    path = Path(settings.ACCESSIBILITY_REPORT)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    partial.replace(path)  # the page never reads a half-written file


def demo_manager(seed_output: str) -> tuple[str, str, bytes]:
    """The demo 管理者's address, password and authenticator key, as seed_demo printed them."""
    import base64
    import re

    account = re.search(r"デモの管理者:\s+(\S+) / パスワード (\S+)", seed_output)
    key = re.search(r"認証アプリの秘密鍵: ([A-Z2-7]+)", seed_output)
    assert account and key, seed_output
    return account.group(1), account.group(2), base64.b32decode(key.group(1))


def sign_in_to_console(page, portal, test: str) -> None:
    """The demo 管理者 signs in to the console with the recovery code of ``test``."""
    import re

    email, password, _key = demo_manager(portal.seed_output)
    codes = re.search(r"リカバリーコード（一度だけ表示）:\s+(.+)", portal.seed_output)
    assert codes, portal.seed_output
    page.goto(portal.url(f"/staff/login?tenant={TENANT}"))
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="次へ").click()
    page.get_by_label("確認コード").fill(codes.group(1).split()[RECOVERY_CODE[test]])
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/staff/")


def log_in(page, portal, email: str, name: str = "水道 次郎") -> None:
    """A member logs in to the demo town with the test password and lands on their home
    page, headed 「<name> 様」 (``resident`` is 水道 次郎)."""
    from playwright.sync_api import expect

    from waterportal.testing import STRONG_PASSWORD

    page.goto(portal.url(f"/login?tenant={TENANT}"))
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{name} 様")


@pytest.fixture
def resident(portal) -> str:
    """A member of the demo town (水道 次郎) with two live links; their address."""
    from waterportal.testing import STRONG_PASSWORD

    email = f"resident-{secrets.token_hex(3)}@example.jp"
    manage(
        "shell",
        "-c",
        MAKE_MEMBER.format(tenant=TENANT, email=email, password=STRONG_PASSWORD),
        env=portal.env,
    )
    return email
