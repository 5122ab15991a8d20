"""Fail a flow run in one line when the worker's Python lacks the project.

A work-pool worker loads ``flows/entrypoints.py`` from the project folder (prefect.yaml's pull
step), so the code is there even when the worker's environment never installed the project:
the first missing dependency deep in an import chain would fail the run with a long traceback
about numpy or sentence-transformers. Checking the project's declared dependencies first (from
its pyproject.toml, against the distributions this Python has) says what to do instead.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


class ProjectNotInstalled(RuntimeError):
    """The worker's environment lacks the project's dependencies; the message says the fix."""


def missing_dependencies(pyproject: Path = PYPROJECT) -> list[str]:
    """The distributions pyproject.toml requires that this Python does not have."""
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    missing = []
    for requirement in declared:
        name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
        try:
            distribution(name)
        except PackageNotFoundError:
            missing.append(name)
    return missing


def require_installed() -> None:
    missing = missing_dependencies() if PYPROJECT.exists() else []
    if missing:
        shown = ", ".join(missing[:4]) + (
            f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        )
        raise ProjectNotInstalled(
            f"ticket-insights is not installed in this worker's Python ({sys.executable}; "
            f"missing {shown}): run `pip install -e .` from the project folder in the worker's "
            "environment, then restart the worker"
        )
