"""The one `insights` command line: every command registered on one Typer app.

Thin: commands parse options, call the library and print. They live by what they touch:
store_commands (ingest, export, backup, restore), reports (themes, events, digest), categories
(the category map and its edits), fixes (fix add, remove, list, impact), serve_app (the
Streamlit app), alerts (alert subscriptions, the daily run). Commands from layers above the
library join through the `insights.commands` entry point: flows/commands.py adds `refresh` and
`serve`, which run Prefect flows (insights/ itself never imports flows/ or Prefect).
"""

from __future__ import annotations

import gc
from importlib.metadata import entry_points

from insights.cli import alerts, categories, fixes, reports, serve_app, store_commands
from insights.cli.common import app

__all__ = ["app", "main"]
_COMMAND_MODULES = (store_commands, reports, categories, fixes, serve_app, alerts)
PLUGIN_GROUP = "insights.commands"


def load_plugins() -> list[str]:
    """Import the command modules other packages registered (they add commands to `app`)."""
    loaded = []
    for entry in entry_points(group=PLUGIN_GROUP):
        entry.load()
        loaded.append(entry.name)
    return loaded


PLUGINS = load_plugins()


def main() -> None:
    try:
        app()
    finally:
        # The process ends here. Python's collector would still pass over every object it
        # holds, most of them from the modules a refresh imports (scipy, sklearn, umap): ~0.5 s
        # of a refresh's wall time. Freezing them skips that; the store's connections are
        # closed first, as a normal exit would (bench/README.md, "The fixed cost of a refresh").
        from insights.store.db import dispose_engines

        dispose_engines()
        gc.freeze()


if __name__ == "__main__":
    main()
