"""deploy/ says what `make deploy-check` runs: the systemd units, the compose file and the
image start the commands of ``waterportal.testing.stack.COMMANDS``, every variable the
portal reads is in deploy/env.example and every one there is read, and the README
documents each file. (No container runtime here: the compose file is read as YAML.)"""

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from waterportal.lib.access_log import safe_path
from waterportal.testing.stack import COMMANDS, DEPLOY, ROOT, env_example_names

UNITS = {
    "web": "waterportal-web.service",
    "worker": "waterportal-worker.service",
    "beat": "waterportal-beat.service",
}
PORTAL_SERVICES = ("web", "worker", "beat")


def unit(name: str) -> dict[str, list[str]]:
    """A unit's settings, each key with all its values (keys may repeat)."""
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("service", PORTAL_SERVICES)
def test_each_systemd_unit_runs_what_the_deploy_check_runs(service):
    values = unit(UNITS[service])
    (exec_start,) = values["ExecStart"]
    command = shlex.split(exec_start)
    assert command[0] == f"/opt/waterportal/.venv/bin/{COMMANDS[service][0]}"
    assert [Path(command[0]).name, *command[1:]] == COMMANDS[service]
    assert values["EnvironmentFile"] == ["/etc/waterportal/env"]
    assert values["User"] == ["waterportal"]
    assert values["WorkingDirectory"] == ["/opt/waterportal"]
    assert values["Restart"] == ["on-failure"]
    for hardening in ("NoNewPrivileges", "ProtectSystem", "PrivateTmp", "ProtectHome"):
        assert values[hardening][0] in {"true", "strict"}, hardening


@pytest.mark.parametrize("service", PORTAL_SERVICES)
def test_each_compose_service_runs_what_the_deploy_check_runs(service):
    assert compose()["services"][service]["command"] == COMMANDS[service]


def test_the_compose_file_has_the_whole_installation():
    services = compose()["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis", "proxy"}
    assert services["proxy"]["build"]["target"] == "proxy"
    # One image for the three portal services, and only the shared upload volume between
    # the web server and the worker.
    images = {services[name]["image"] for name in PORTAL_SERVICES}
    assert len(images) == 1
    assert "uploads:/data/uploads" in services["web"]["volumes"]
    assert "uploads:/data/uploads" in services["worker"]["volumes"]


def test_the_compose_files_variables_are_documented():
    documented = set(env_example_names())
    for name in PORTAL_SERVICES:
        assert set(compose()["services"][name]["environment"]) <= documented, name


def test_the_image_starts_the_web_server_by_default_as_a_user_not_root():
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    cmd = re.findall(r"^CMD (.+)$", dockerfile, re.MULTILINE)
    assert [json.loads(c) for c in cmd] == [COMMANDS["web"]]
    assert dockerfile.startswith("# syntax") and "FROM python:3.13-slim AS app" in dockerfile
    users = re.findall(r"^USER (\S+)$", dockerfile, re.MULTILINE)
    assert users == ["waterportal"]
    assert "compilemessages" in dockerfile and "collectstatic" in dockerfile


def _read_by_the_portal() -> set[str]:
    settings = (ROOT / "waterportal" / "settings.py").read_text(encoding="utf-8")
    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8")
    return set(re.findall(r'env\.\w+\(\s*"([A-Z_0-9]+)"', settings)) | set(
        re.findall(r'os\.environ\.get\("([A-Z_0-9]+)"', gunicorn)
    )


def test_every_variable_the_portal_reads_is_in_the_env_example():
    read = _read_by_the_portal()
    assert read, "no variables found: the pattern no longer matches settings.py"
    assert read - set(env_example_names()) == set()


def test_every_variable_of_the_env_example_is_read():
    assert set(env_example_names()) - _read_by_the_portal() == set()


def test_the_readme_documents_every_deploy_file_and_pgbouncers_mode():
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    files = [
        p
        for p in DEPLOY.rglob("*")
        if p.is_file() and p.name != "README.md" and "__pycache__" not in p.parts
    ]
    assert files
    for path in files:
        assert f"`{path.relative_to(DEPLOY)}`" in readme, path.name
    assert "session mode" in readme and "transaction mode" in readme


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/inquiries/t/Zk3-9aQ_x", "/inquiries/t/…"),
        ("/staff/welcome/12.abc-DEF_9", "/staff/welcome/12.…"),
        ("/contracts/3/history", "/contracts/3/history"),
        (None, "-"),
    ],
)
def test_the_access_log_shows_paths_without_the_link_secrets(path, shown):
    assert safe_path(path) == shown
