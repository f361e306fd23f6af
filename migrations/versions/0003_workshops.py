"""workshops, their members, and who wrote a turn

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
        "workshops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("persona_ids", sa.JSON(), nullable=False),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("hints", sa.Boolean(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("show_names", sa.Boolean(), nullable=False),
        sa.Column("beamer_tip", sa.String(length=20), nullable=True),
        sa.Column("trainer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["trainer_id"], ["trainers.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "workshop_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("casemanager_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["casemanager_id"], ["casemanagers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workshop_id", "casemanager_id", name="uq_workshop_member"),
    )
    op.create_index("ix_workshop_members_workshop_id", "workshop_members", ["workshop_id"])
    op.create_index("ix_workshop_members_casemanager_id", "workshop_members", ["casemanager_id"])
    with op.batch_alter_table("turns") as batch:
        revealed = sa.Column(
            "hidden_need_revealed", sa.Boolean(), nullable=False, server_default=sa.false()
        )
        batch.add_column(revealed)
        batch.add_column(sa.Column("author_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_turns_author_id", "casemanagers", ["author_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_turns_author_id", ["author_id"])


def downgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.drop_index("ix_turns_author_id")
        batch.drop_constraint("fk_turns_author_id", type_="foreignkey")
        batch.drop_column("author_id")
        batch.drop_column("hidden_need_revealed")
    op.drop_index("ix_workshop_members_casemanager_id", table_name="workshop_members")
    op.drop_index("ix_workshop_members_workshop_id", table_name="workshop_members")
    op.drop_table("workshop_members")
    op.drop_table("workshops")
