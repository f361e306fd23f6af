"""bot chats: the workshop a chat joined, and a group's round

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bot_chats") as batch:
        batch.add_column(sa.Column("workshop_code", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("round", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bot_chats") as batch:
        batch.drop_column("round")
        batch.drop_column("workshop_code")
