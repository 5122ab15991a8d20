"""The read model: ranked weeks stored per data version, so pages read a table.

Revision ID: 0005_core
Revises: 0004_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_core"
down_revision = "0004_core"
branch_labels = None
depends_on = None


def _required(kind, *names: str) -> list[sa.Column]:
    return [sa.Column(name, kind, nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "read_index",
        sa.Column("version", sa.String(128), primary_key=True),
        sa.Column("default_week", sa.String(10)),
        sa.Column("complete_week", sa.String(10)),
        *_required(sa.DateTime, "built_at"),
        *_required(sa.JSON, "weeks", "segments"),
        *_required(sa.Integer, "out_of_range"),
    )
    op.create_table(
        "read_weeks",
        sa.Column("id", sa.Integer, primary_key=True),
        *_required(sa.String(128), "version"),
        *_required(sa.String(10), "week"),
        *_required(sa.String(255), "selection"),
        *_required(sa.DateTime, "built_at"),
        *_required(sa.Integer, "total_tickets", "previous_tickets", "unthemed", "out_of_range"),
        *_required(sa.Text, "message"),
        *_required(sa.JSON, "totals"),
        sa.UniqueConstraint("version", "week", "selection", name="uq_read_weeks_key"),
    )
    op.create_index("ix_read_weeks_version", "read_weeks", ["version"])
    op.create_table(
        "read_themes",
        sa.Column(
            "week_id",
            sa.Integer,
            sa.ForeignKey("read_weeks.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("theme_id", sa.Integer, primary_key=True),
        *_required(sa.Integer, "rank", "volume"),
        *_required(sa.Float, "share", "growth", "baseline", "rank_score"),
        *_required(sa.Float, "score_volume", "score_growth", "score_spike", "score_severity"),
        *[sa.Column(name, sa.Float) for name in ("expected", "p_value", "q_value", "csat")],
        *_required(sa.Boolean, "spike"),
        *_required(sa.String(16), "lifecycle"),
        *_required(sa.JSON, "regions", "spike_segments", "trend"),
    )


def downgrade() -> None:
    op.drop_table("read_themes")
    op.drop_index("ix_read_weeks_version", "read_weeks")
    op.drop_table("read_weeks")
    op.drop_table("read_index")
