"""Ingest tables: batches, tickets, quarantine.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("n_read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("n_new", sa.Integer, nullable=False, server_default="0"),
        sa.Column("n_updated", sa.Integer, nullable=False, server_default="0"),
        sa.Column("n_duplicates", sa.Integer, nullable=False, server_default="0"),
        sa.Column("n_quarantined", sa.Integer, nullable=False, server_default="0"),
        sa.Column("n_truncated", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("language_confidence", sa.Float, nullable=False),
        sa.Column("language_detected", sa.Boolean, nullable=False),
        sa.Column("kind", sa.String(16)),
        sa.Column("region", sa.String(64)),
        sa.Column("channel", sa.String(64)),
        sa.Column("category", sa.String(128)),
        sa.Column("csat", sa.Integer),
        sa.Column("attributes", sa.JSON, nullable=False),
        sa.Column("truncated", sa.Boolean, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("ingested_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("source", "external_id", name="uq_tickets_source_external_id"),
    )
    op.create_index("ix_tickets_created_at", "tickets", ["created_at"])
    op.create_index("ix_tickets_content_hash", "tickets", ["content_hash"])
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("external_id", sa.String(255)),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
    )
    op.create_index("ix_quarantine_batch_id", "quarantine", ["batch_id"])


def downgrade() -> None:
    op.drop_table("quarantine")
    op.drop_table("tickets")
    op.drop_table("batches")
