"""the learning loop: thoughts, reflections, turns taken back, tips asked

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("thought", sa.Text(), nullable=True))
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("reflection", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("reflection_score", sa.Float(), nullable=True))
        batch.add_column(sa.Column("reverts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("tips_asked", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("bot_chats") as batch:
        batch.add_column(sa.Column("closing", sa.JSON(none_as_null=True), nullable=True))
    with op.batch_alter_table("workshops") as batch:
        batch.add_column(
            sa.Column("allow_undo", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "reverted_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("move", sa.String(length=40), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("trust", sa.Float(), nullable=False),
        sa.Column("thought", sa.Text(), nullable=True),
        sa.Column("how", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("reverted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["casemanagers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reverted_turns_session_id", "reverted_turns", ["session_id"])
    op.create_index("ix_reverted_turns_author_id", "reverted_turns", ["author_id"])


def downgrade() -> None:
    op.drop_index("ix_reverted_turns_author_id", table_name="reverted_turns")
    op.drop_index("ix_reverted_turns_session_id", table_name="reverted_turns")
    op.drop_table("reverted_turns")
    with op.batch_alter_table("workshops") as batch:
        batch.drop_column("allow_undo")
    with op.batch_alter_table("bot_chats") as batch:
        batch.drop_column("closing")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("tips_asked")
        batch.drop_column("reverts")
        batch.drop_column("reflection_score")
        batch.drop_column("reflection")
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("thought")
