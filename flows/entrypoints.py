"""The flows as work-pool deployments load them (prefect.yaml's `entrypoint`).

A deployment loads its entrypoint file by path, as a module no other process can import. Flows
defined in such a module break on a separately started Dask cluster: the task graph sent to the
scheduler refers to the flow run's flow by its module, and the scheduler fails with
`No module named 'refresh'`. This file only imports the flows from their package modules
(`flows.refresh`, `flows.digest`, `flows.alerts`), so whatever a run pickles names a module every
worker with the project installed can import. A worker without it fails the run with that cause,
in one line (flows.installed), before any import of the project's dependencies.
"""

from __future__ import annotations

from flows.installed import require_installed

require_installed()

from flows.alerts import daily_alerts  # noqa: E402
from flows.digest import weekly_digest  # noqa: E402
from flows.refresh import refresh_flow  # noqa: E402

__all__ = ["daily_alerts", "refresh_flow", "weekly_digest"]
