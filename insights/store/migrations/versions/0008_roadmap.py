"""The roadmap loop: categories over themes, fixes with measured impact, daily regional alerts.

Categories keep stable ids like themes (``categories``), a snapshot per full run of which themes
each holds (``category_snapshots``), and the people's edits: a title on the category row, a move
of a theme in ``category_pins``. Fixes are what a PM marked as shipped. Alerts keep the
subscriptions, the spike episodes (so each is announced once), the deliveries (a failed one is
re-sent by the next run) and the days already checked.

Revision ID: 0008_roadmap
Revises: 0007_lock
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_roadmap"
down_revision = "0007_lock"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("categories.id"), nullable=True),
        sa.Column("machine_title", sa.Text, nullable=False),
        sa.Column("human_title", sa.Text, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=True),
        sa.Column("last_run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=True),
        sa.Column("created_by", sa.String(255), nullable=True),
    )
    op.create_table(
        "category_snapshots",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("category_id", sa.Integer, sa.ForeignKey("categories.id"), primary_key=True),
        sa.Column("parent_id", sa.Integer, nullable=True),
        sa.Column("theme_ids", sa.JSON, nullable=False),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("centroid", sa.LargeBinary, nullable=False),
        sa.Column("cut", sa.JSON, nullable=False),
    )
    op.create_table(
        "category_pins",
        sa.Column("theme_id", sa.Integer, sa.ForeignKey("themes.id"), primary_key=True),
        sa.Column("category_id", sa.Integer, sa.ForeignKey("categories.id"), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(255), nullable=False),
    )
    op.create_table(
        "fixes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("theme_id", sa.Integer, sa.ForeignKey("themes.id"), nullable=False, index=True),
        sa.Column("fix_date", sa.Date, nullable=False),
        sa.Column("region", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
    )
    op.create_table(
        "alert_subscriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("region", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
    )
    op.create_table(
        "alert_episodes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("theme_id", sa.Integer, sa.ForeignKey("themes.id"), nullable=False, index=True),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("started", sa.Date, nullable=False),
        sa.Column("last_spike", sa.Date, nullable=False),
        sa.Column("last_elevated", sa.Date, nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("peak_count", sa.Integer, nullable=False),
        sa.Column("peak_q", sa.Float, nullable=False),
        sa.Column("ended", sa.Date, nullable=True),
        sa.Column("alert", sa.JSON, nullable=False),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "episode_id", sa.Integer, sa.ForeignKey("alert_episodes.id"), nullable=False, index=True
        ),
        sa.Column(
            "subscription_id", sa.Integer, sa.ForeignKey("alert_subscriptions.id"), nullable=False
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("sent_at", sa.DateTime, nullable=True),
        sa.UniqueConstraint("episode_id", "subscription_id", name="uq_alert_delivery"),
    )
    op.create_table(
        "alert_days",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("checked_at", sa.DateTime, nullable=False),
        sa.Column("n_tests", sa.Integer, nullable=False),
        sa.Column("n_alerts", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "alert_days",
        "alert_deliveries",
        "alert_episodes",
        "alert_subscriptions",
        "fixes",
        "category_pins",
        "category_snapshots",
        "categories",
    ):
        op.drop_table(table)
