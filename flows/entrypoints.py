"""The flows as work-pool deployments load them (prefect.yaml's `entrypoint`).

A deployment loads its entrypoint file by path, as a module no other process can import. Flows
defined in such a module break on a separately started Dask cluster: the task graph sent to the
scheduler refers to the flow run's flow by its module, and the scheduler fails with
`No module named 'refresh'`. This file only imports the flows from their package modules
(`flows.refresh`, `flows.digest`, `flows.alerts`), so whatever a run pickles names a module every worker with
the project installed can import.
"""

from __future__ import annotations

from flows.alerts import daily_alerts
from flows.digest import weekly_digest
from flows.refresh import refresh_flow

__all__ = ["daily_alerts", "refresh_flow", "weekly_digest"]
