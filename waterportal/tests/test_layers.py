"""The layer order in pyproject.toml (docs/architecture.md) is enforced: ``make lint``
runs import-linter, and an import that reaches up a layer makes it fail."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree), "COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def copy_of_the_code(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        ROOT / "waterportal",
        tmp_path / "waterportal",
        ignore=shutil.ignore_patterns("__pycache__", "*.ttf"),
    )
    return tmp_path


def test_the_code_keeps_every_layer_contract():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_import_from_a_higher_layer_fails_the_lint(tmp_path):
    tree = copy_of_the_code(tmp_path)
    assert lint_imports(tree).returncode == 0
    # contracts sits below billing: a contract must not know how bills are drawn.
    actions = tree / "waterportal" / "contracts" / "actions.py"
    actions.write_text(actions.read_text() + "\nfrom waterportal.billing import services\n")

    done = lint_imports(tree)

    assert done.returncode != 0
    assert "waterportal.contracts is not allowed to import waterportal.billing" in done.stdout


def test_a_test_module_importing_another_fails_the_lint(tmp_path):
    tree = copy_of_the_code(tmp_path)
    test = tree / "waterportal" / "billing" / "tests" / "test_layers_probe.py"
    test.write_text("from waterportal.tests import test_layers  # noqa: F401\n")

    done = lint_imports(tree)

    assert done.returncode != 0
    assert "waterportal.billing.tests.test_layers_probe is not allowed to import" in done.stdout


def test_an_import_loop_inside_an_app_fails_the_lint_even_inside_a_function(tmp_path):
    tree = copy_of_the_code(tmp_path)
    codes = tree / "waterportal" / "accounts" / "codes.py"
    # actions imports codes; codes reaching back, even hidden in a function, is a loop.
    codes.write_text(
        codes.read_text() + "\n\ndef _late():\n    from waterportal.accounts import actions\n"
    )

    done = lint_imports(tree)

    assert done.returncode != 0
    assert re.search(r"No import loops between the modules of an app[^\n]* BROKEN", done.stdout)


def test_a_new_app_without_its_place_in_the_layers_fails_the_lint(tmp_path):
    tree = copy_of_the_code(tmp_path)
    (tree / "waterportal" / "surveys").mkdir()
    (tree / "waterportal" / "surveys" / "__init__.py").write_text("")

    done = lint_imports(tree)

    assert done.returncode != 0
    assert "waterportal.surveys" in done.stdout
