"""Discovery tables: embeddings cache, runs, themes, assignments, snapshots, lifecycle events.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "embeddings",
        sa.Column("model_id", sa.String(255), primary_key=True),
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("dim", sa.Integer, nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("model_id", sa.String(255), nullable=False),
        sa.Column("parameters", sa.JSON, nullable=False),
        sa.Column("stats", sa.JSON, nullable=False),
        sa.Column("flow_run_id", sa.String(64)),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
    )
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("merged_into", sa.Integer, sa.ForeignKey("themes.id")),
        sa.Column("created_run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("last_run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
    )
    op.create_table(
        "assignments",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), primary_key=True),
        sa.Column("theme_id", sa.Integer, sa.ForeignKey("themes.id")),
        sa.Column("similarity", sa.Float, nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
    )
    op.create_index("ix_assignments_theme_id", "assignments", ["theme_id"])
    op.create_table(
        "theme_snapshots",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("theme_id", sa.Integer, sa.ForeignKey("themes.id"), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("centroid", sa.LargeBinary, nullable=False),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("representatives", sa.JSON, nullable=False),
        sa.Column("languages", sa.JSON, nullable=False),
    )
    op.create_table(
        "theme_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("theme_id", sa.Integer, sa.ForeignKey("themes.id"), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("related_theme_id", sa.Integer, sa.ForeignKey("themes.id")),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_theme_events_theme_id", "theme_events", ["theme_id"])


def downgrade() -> None:
    op.drop_table("theme_events")
    op.drop_table("theme_snapshots")
    op.drop_table("assignments")
    op.drop_table("themes")
    op.drop_table("runs")
    op.drop_table("embeddings")
