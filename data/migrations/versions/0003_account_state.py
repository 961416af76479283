"""Broker accounts: named credentials, their last reported state and positions; shared
strategies a capital.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broker_accounts") as batch:
        batch.add_column(sa.Column("credentials", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("account_number", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("status", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("trading_blocked", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("equity", sa.Float(), nullable=True))
        batch.add_column(sa.Column("cash", sa.Float(), nullable=True))
    with op.batch_alter_table("strategy_accounts") as batch:
        batch.add_column(sa.Column("capital", sa.Float(), nullable=True))
    op.create_table(
        "account_positions",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("market_value", sa.Float(), nullable=True),
        sa.Column("unrealized_pnl", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["broker_accounts.id"],
            name=op.f("fk_account_positions_account_id_broker_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "symbol", name=op.f("pk_account_positions")),
    )


def downgrade() -> None:
    op.drop_table("account_positions")
    with op.batch_alter_table("strategy_accounts") as batch:
        batch.drop_column("capital")
    with op.batch_alter_table("broker_accounts") as batch:
        for column in (
            "cash",
            "equity",
            "trading_blocked",
            "status",
            "account_number",
        ):
            batch.drop_column(column)
