"""persona variants: which variant a session played, and whether a workshop varies them

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("variant", sa.String(length=41), nullable=True))
    with op.batch_alter_table("workshops") as batch:
        batch.add_column(
            sa.Column("vary_personas", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("workshops") as batch:
        batch.drop_column("vary_personas")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("variant")
