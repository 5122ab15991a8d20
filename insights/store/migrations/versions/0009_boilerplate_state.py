"""What the learned boilerplate was learned from, so a refresh whose tickets did not change
reuses the stored lines instead of learning them again in every process.

Revision ID: 0009_boilerplate_state
Revises: 0008_roadmap
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_boilerplate_state"
down_revision = "0008_roadmap"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "boilerplate_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("learned_from", sa.String(64), nullable=False),
        sa.Column("tickets", sa.Integer, nullable=False),
        sa.Column("learned_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("boilerplate_state")
