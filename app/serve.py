"""The app's server: Streamlit's own command line, started after importing what the pages import.

`insights app` runs this file instead of `streamlit run`: a page's first run after a start
would otherwise import pandas, SQLAlchemy and the read model (~1.5 s of a 2.9 s first Home
render on a million-ticket store, bench/README.md), and the first visitor would wait for them.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent
sys.path.insert(0, str(APP.parent))  # `app` and `insights` from a checkout, as the pages do


def page_imports() -> list[str]:
    """Every module the pages import at their top (absolute imports; `from a import b` names
    `a.b` when b is a module), in a stable order."""
    found: dict[str, None] = {}
    for page in sorted(APP.rglob("*.py")):
        for node in ast.parse(page.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found[node.module] = None
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    if _is_module(sub):
                        found[sub] = None
            elif isinstance(node, ast.Import):
                found.update((alias.name, None) for alias in node.names)
    return [name for name in found if name != "__future__"]


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # the parent is not a package
        return False


def preload() -> None:
    for name in page_imports():
        importlib.import_module(name)


if __name__ == "__main__":
    preload()
    from streamlit.web.cli import main

    sys.exit(main())
