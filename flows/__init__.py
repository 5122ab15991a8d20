"""Prefect flows: thin orchestration over the insights library.

Importing this package sets quiet, offline-friendly Prefect defaults *before* Prefect itself is
imported (Python runs this file before any flows.* module): no telemetry (offline, each run would
otherwise print a traceback), and a temporary server that gets enough time to start on a busy
laptop. Values already in the environment win.
"""

from __future__ import annotations

from insights.settings import set_defaults

PREFECT_DEFAULTS: dict[str, str] = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # the temporary server needs ~8 s on an idle 2-core machine, far more under load
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}

set_defaults(PREFECT_DEFAULTS)
