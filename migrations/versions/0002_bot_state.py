"""bot state: consent and each chat's running practice

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
        "bot_consents",
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("channel_hash", sa.String(length=64), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "channel_hash"),
    )
    op.create_table(
        "bot_chats",
        sa.Column("chat_key", sa.String(length=64), nullable=False),
        sa.Column("owner_hash", sa.String(length=64), nullable=True),
        sa.Column("persona_id", sa.String(length=40), nullable=True),
        sa.Column("sender", sa.String(length=64), nullable=True),
        sa.Column("hints", sa.Boolean(), nullable=False),
        sa.Column("pending", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_key"),
    )
    op.create_index("ix_bot_chats_owner_hash", "bot_chats", ["owner_hash"])


def downgrade() -> None:
    op.drop_index("ix_bot_chats_owner_hash", table_name="bot_chats")
    op.drop_table("bot_chats")
    op.drop_table("bot_consents")
