"""Accounts, token families, refresh tokens, CVs, dossiers, login failures.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _account_fk(*, primary_key: bool = False) -> sa.Column:
    return sa.Column(
        "account_id",
        sa.String(36),
        sa.ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        _when("created_at"),
    )
    op.create_table(
        "token_families",
        sa.Column("id", sa.String(36), primary_key=True),
        _account_fk(),
        _when("created_at"),
        _when("revoked_at", nullable=True),
        sa.Column("revoked_reason", sa.String(32), nullable=True),
    )
    op.create_index("ix_token_families_account_id", "token_families", ["account_id"])
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "family_id",
            sa.String(36),
            sa.ForeignKey("token_families.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _account_fk(),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _when("created_at"),
        _when("expires_at"),
        _when("used_at", nullable=True),
    )
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"])
    op.create_index("ix_refresh_tokens_account_id", "refresh_tokens", ["account_id"])
    op.create_table(
        "cvs",
        _account_fk(primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=True),
        sa.Column("characters", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        _when("updated_at"),
        sa.Column("summary_status", sa.String(16), nullable=False),
        sa.Column("summary_text", sa.Text(), nullable=True),
        sa.Column("summary_method", sa.String(32), nullable=False),
        sa.Column("summary_error", sa.Text(), nullable=True),
        _when("summary_updated_at"),
        _when("summary_lease_until", nullable=True),
    )
    op.create_table(
        "dossiers",
        sa.Column("id", sa.String(36), primary_key=True),
        _account_fk(),
        sa.Column("job_title", sa.String(200), nullable=False),
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("job_description", sa.Text(), nullable=False),
        sa.Column("cv_snapshot", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("match_json", sa.Text(), nullable=True),
        sa.Column("cover_letter", sa.Text(), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        _when("lease_until", nullable=True),
    )
    op.create_index("ix_dossiers_account_id", "dossiers", ["account_id"])
    op.create_index("ix_dossiers_created_at", "dossiers", ["created_at"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        _when("at"),
    )
    op.create_index("ix_login_failures_key", "login_failures", ["key"])
    op.create_index("ix_login_failures_at", "login_failures", ["at"])


def downgrade() -> None:
    for table in (
        "login_failures",
        "dossiers",
        "cvs",
        "refresh_tokens",
        "token_families",
        "accounts",
    ):
        op.drop_table(table)
