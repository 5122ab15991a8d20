"""Human input and delivery: annotations, audit log, digests.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annotations",
        sa.Column("theme_id", sa.Integer, sa.ForeignKey("themes.id"), primary_key=True),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("owner", sa.String(255)),
        sa.Column("status", sa.String(32), nullable=False, server_default="new"),
        sa.Column("tracker_url", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("region", sa.String(64)),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(255), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("who", sa.String(255), nullable=False),
        sa.Column("theme_id", sa.Integer, sa.ForeignKey("themes.id")),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
    )
    op.create_index("ix_audit_log_theme_id", "audit_log", ["theme_id"])
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("week", sa.String(10), nullable=False),
        sa.Column("region", sa.String(64)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("markdown", sa.Text, nullable=False),
        sa.Column("html", sa.Text, nullable=False),
        sa.Column("sent_at", sa.DateTime),
        sa.Column("delivery", sa.JSON, nullable=False),
    )
    op.create_index("ix_digests_week", "digests", ["week"])


def downgrade() -> None:
    op.drop_table("digests")
    op.drop_table("audit_log")
    op.drop_table("annotations")
