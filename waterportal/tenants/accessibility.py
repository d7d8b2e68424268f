"""The latest accessibility test, as the browser suite wrote it, for the アクセシビリティ方針 page.

The browser suite (``e2e/conftest.py``) runs axe-core's WCAG 2.1 A/AA rules on every page
state it reaches and, at the end of its run, writes one JSON file to
``settings.ACCESSIBILITY_REPORT``::

    {"tested_at": "2026-12-04T18:00:00+00:00", "tool": "axe-core 4.10.2",
     "rules": ["wcag2a", ...], "states": [{"name": "home", "path": "/",
     "width": 360, "violations": 0}, ...]}

The page reads it on each view: it is small, and a new run shows at once.
"""

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TestResult:
    tested_at: dt.datetime
    tool: str
    states: int  # page states checked (a page at one width, with errors shown, ...)
    failing_states: int
    violations: int  # every violation found, summed over the states
    widths: tuple[int, ...]


def latest_result(path: Path | None = None) -> TestResult | None:
    """The result in the report file, or None when there is none (or it cannot be read)."""
    path = Path(path or settings.ACCESSIBILITY_REPORT)
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        states = report["states"]
        tested_at = dt.datetime.fromisoformat(report["tested_at"])
        counts = [int(state["violations"]) for state in states]
        widths = tuple(sorted({int(state["width"]) for state in states if state.get("width")}))
        tool = str(report.get("tool") or "axe-core")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("the accessibility report %s cannot be read", path)
        return None
    if not states or tested_at.tzinfo is None:
        return None
    return TestResult(
        tested_at=tested_at,
        tool=tool,
        states=len(counts),
        failing_states=sum(1 for c in counts if c),
        violations=sum(counts),
        widths=widths,
    )
