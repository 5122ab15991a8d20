"""Conversations and cleaning: tickets.clean_text (what is embedded), tickets.thread (the
messages of a conversation), and the boilerplate lines the latest refresh learned.

Revision ID: 0006_threads
Revises: 0005_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_threads"
down_revision = "0005_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("clean_text", sa.Text, nullable=True))
        batch.add_column(sa.Column("thread", sa.JSON, nullable=True))
    op.create_table(
        "boilerplate",
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("tickets", sa.Integer, nullable=False),
        sa.Column("learned_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("boilerplate")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("thread")
        batch.drop_column("clean_text")
