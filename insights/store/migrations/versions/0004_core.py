"""Fit states in their own tables (they were JSON inside runs.stats).

Revision ID: 0004_core
Revises: 0003
"""

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = "0004_core"
down_revision = "0003"
branch_labels = None
depends_on = None

#: DiscoveryParams' defaults when the fit states were written into runs.stats.
MIN_LANGUAGE_ROWS = 10


def upgrade() -> None:
    fit_states = op.create_table(
        "fit_states",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("floor", sa.Float, nullable=False),
        sa.Column("center_languages", sa.Boolean, nullable=False),
        sa.Column("min_language_rows", sa.Integer, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
    )
    means = op.create_table(
        "fit_language_means",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("fit_states.run_id"), primary_key=True),
        sa.Column("centering_group", sa.String(32), primary_key=True),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )
    runs = sa.table(
        "runs",
        sa.column("id", sa.Integer),
        sa.column("mode", sa.String),
        sa.column("parameters", sa.JSON),
        sa.column("stats", sa.JSON),
    )
    conn = op.get_bind()
    for run_id, parameters, stats in conn.execute(
        sa.select(runs.c.id, runs.c.parameters, runs.c.stats).where(runs.c.mode == "full")
    ):
        stats = stats or {}
        if "language_means" not in stats:
            continue
        params = dict((parameters or {}).get("discovery") or {})
        conn.execute(
            fit_states.insert().values(
                run_id=run_id,
                floor=float(stats.get("floor", 0.5)),
                center_languages=bool(params.get("center_languages", True)),
                min_language_rows=int(params.get("min_language_rows", MIN_LANGUAGE_ROWS)),
                params=params,
            )
        )
        for group, vector in stats["language_means"].items():
            blob = np.asarray(vector, dtype=np.float32)
            conn.execute(
                means.insert().values(run_id=run_id, centering_group=group, vector=blob.tobytes())
            )


def downgrade() -> None:
    op.drop_table("fit_language_means")
    op.drop_table("fit_states")
