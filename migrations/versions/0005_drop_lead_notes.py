"""Drop leads.notes: notes live in the audit trail (lead_events) since 0004.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch: SQLite copies the table. LeadStore.migrate turns SQLite's foreign keys off
    # meanwhile, or dropping the old "leads" would cascade to slot_claims and lead_events.
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("notes")


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("notes", sa.Text(), nullable=False, server_default=""))
