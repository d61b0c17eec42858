"""Erasure log: one line per lead erased on request (booking code, id, times), for restores.

Before this revision the code created ``erasure_log`` itself on first use, so a database at
0005 may already have it, with its rows: then it is kept as it is (a PostgreSQL primary key
gets the name the models use). The same holds after ``pg_restore --clean`` of an older
archive, which leaves a table the archive does not have in place and sets the version back.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLE, PRIMARY_KEY = "erasure_log", "pk_erasure_log"


def upgrade() -> None:
    if not context.is_offline_mode():  # offline (--sql) there is no database to look at
        inspector = sa.inspect(op.get_bind())
        if inspector.has_table(TABLE):
            name = inspector.get_pk_constraint(TABLE).get("name")
            if op.get_bind().dialect.name == "postgresql" and name and name != PRIMARY_KEY:
                op.execute(f'ALTER TABLE {TABLE} RENAME CONSTRAINT "{name}" TO {PRIMARY_KEY}')
            return
    op.create_table(
        TABLE,
        sa.Column("reference", sa.String(length=6), nullable=False),
        sa.Column("lead_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("reference", "lead_id", name=PRIMARY_KEY),
    )


def downgrade() -> None:
    op.drop_table(TABLE)
