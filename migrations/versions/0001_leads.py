"""Leads and slot claims.

Revision ID: 0001
Revises:
Create Date: 2025-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_answers", sa.JSON(), nullable=True),
        sa.Column("check_band", sa.String(length=32), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("preferred_times", sa.Text(), nullable=True),
        sa.Column("slot_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("slot_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("calendar_uid", sa.String(length=255), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('booking', 'callback')", name="ck_leads_kind"),
        sa.CheckConstraint(
            "status IN ('nieuw', 'gebeld', 'ingepland', 'afgerond', 'geannuleerd')",
            name="ck_leads_status",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_leads"),
        sa.UniqueConstraint("reference", name="uq_leads_reference"),
        sa.UniqueConstraint("calendar_uid", name="uq_leads_calendar_uid"),
    )
    op.create_index("ix_leads_sender_id", "leads", ["sender_id"], unique=False)
    op.create_table(
        "slot_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["leads.id"],
            name="fk_slot_claims_lead_id_leads",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_slot_claims"),
        sa.UniqueConstraint("slot_start", name="uq_slot_claims_slot_start"),
        sa.UniqueConstraint("lead_id", name="uq_slot_claims_lead_id"),
    )


def downgrade() -> None:
    op.drop_table("slot_claims")
    op.drop_index("ix_leads_sender_id", table_name="leads")
    op.drop_table("leads")
