"""The job lock's record (who holds it) on PostgreSQL, beside the advisory lock itself.

SQLite keeps the same table in a file next to the store (insights.jobs.lock), so it is not
created in a SQLite store.

Revision ID: 0007_lock
Revises: 0006_threads
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_lock"
down_revision = "0006_threads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "job_lock",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("job", sa.String(32), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("token", sa.String(32), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("heartbeat_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("job_lock")
