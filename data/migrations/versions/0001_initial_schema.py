"""Initial schema: every table, plus hypertables (TimescaleDB) or BRIN indexes (PostgreSQL).

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 05:33:02.775647
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from data.db import timescale_available

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

# Frozen here, not imported from the schema: a migration describes the schema as it was.
TIME_SERIES = [("performance", "ts"), ("benchmark_bars", "ts")]


def upgrade() -> None:
    op.create_table('benchmark_bars',
    sa.Column('benchmark_id', sa.Integer(), nullable=False),
    sa.Column('resolution', sa.Enum('daily', 'intraday', name='resolution', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('ts', sa.DateTime(timezone=True), nullable=False),
    sa.Column('open', sa.Float(), nullable=False),
    sa.Column('high', sa.Float(), nullable=False),
    sa.Column('low', sa.Float(), nullable=False),
    sa.Column('close', sa.Float(), nullable=False),
    sa.Column('volume', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('benchmark_id', 'resolution', 'ts', name=op.f('pk_benchmark_bars'))
    )
    op.create_table('benchmarks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('symbol', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('asset_class', sa.String(length=24), nullable=False),
    sa.Column('provider', sa.String(length=24), nullable=False),
    sa.Column('weights', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benchmarks')),
    sa.UniqueConstraint('symbol', name=op.f('uq_benchmarks_symbol'))
    )
    op.create_table('broker_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=24), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('paper', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broker_accounts')),
    sa.UniqueConstraint('label', name=op.f('uq_broker_accounts_label'))
    )
    op.create_table('data_versions',
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_data_versions'))
    )
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('running', 'success', 'passed', 'warning', 'failed', 'skipped', name='status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('host', sa.String(length=120), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_runs_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_runs_started_at'), ['started_at'], unique=False)

    op.create_table('performance',
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('ts', sa.DateTime(timezone=True), nullable=False),
    sa.Column('equity', sa.Float(), nullable=False),
    sa.Column('ret', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('series_id', 'ts', name=op.f('pk_performance'))
    )
    op.create_table('sync_state',
    sa.Column('key', sa.String(length=96), nullable=False),
    sa.Column('watermark', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sync_state'))
    )
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_teams_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.Enum('viewer', 'analyst', 'trader', 'admin', name='role', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ts', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_log_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_ts'), ['ts'], unique=False)

    op.create_table('preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('prefs', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_preferences'))
    )
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('fmt', sa.String(length=8), nullable=False),
    sa.Column('params', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('schedule', sa.String(length=64), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_reports_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    op.create_table('strategies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('stage', sa.Enum('research', 'backtest', 'paper', 'live', 'retired', name='stage', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('style', sa.String(length=40), nullable=False),
    sa.Column('tags', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('benchmark', sa.String(length=16), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_strategies_team_id_teams'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strategies')),
    sa.UniqueConstraint('slug', name=op.f('uq_strategies_slug'))
    )
    with op.batch_alter_table('strategies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_strategies_stage'), ['stage'], unique=False)

    op.create_table('team_members',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_members_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_team_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'user_id', name=op.f('pk_team_members'))
    )
    op.create_table('metric_snapshots',
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('backtest', 'paper', 'live', name='source', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('metric', sa.String(length=48), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id'], name=op.f('fk_metric_snapshots_strategy_id_strategies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('strategy_id', 'source', 'as_of', 'metric', name=op.f('pk_metric_snapshots'))
    )
    op.create_table('report_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('running', 'success', 'passed', 'warning', 'failed', 'skipped', name='status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('path', sa.Text(), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_runs_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_runs'))
    )
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_runs_report_id'), ['report_id'], unique=False)

    op.create_table('series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('backtest', 'paper', 'live', name='source', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('resolution', sa.Enum('daily', 'intraday', name='resolution', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id'], name=op.f('fk_series_strategy_id_strategies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_series')),
    sa.UniqueConstraint('strategy_id', 'source', 'resolution', name=op.f('uq_series_strategy_id_source_resolution'))
    )
    op.create_table('strategy_accounts',
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('order_prefix', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['broker_accounts.id'], name=op.f('fk_strategy_accounts_account_id_broker_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id'], name=op.f('fk_strategy_accounts_strategy_id_strategies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('strategy_id', 'account_id', name=op.f('pk_strategy_accounts'))
    )
    op.create_table('thresholds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=True),
    sa.Column('metric', sa.String(length=48), nullable=False),
    sa.Column('operator', sa.String(length=2), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=True),
    sa.Column('severity', sa.Enum('info', 'warning', 'critical', name='severity', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_thresholds_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id'], name=op.f('fk_thresholds_strategy_id_strategies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thresholds'))
    )
    with op.batch_alter_table('thresholds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thresholds_strategy_id'), ['strategy_id'], unique=False)

    op.create_table('trades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('backtest', 'paper', 'live', name='source', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('trade_key', sa.String(length=96), nullable=False),
    sa.Column('ts', sa.DateTime(timezone=True), nullable=False),
    sa.Column('symbol', sa.String(length=32), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=False),
    sa.Column('price', sa.Float(), nullable=False),
    sa.Column('fee', sa.Float(), nullable=False),
    sa.Column('pnl', sa.Float(), nullable=True),
    sa.Column('exit_ts', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id'], name=op.f('fk_trades_strategy_id_strategies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trades')),
    sa.UniqueConstraint('strategy_id', 'source', 'trade_key', name=op.f('uq_trades_strategy_id_source_trade_key'))
    )
    with op.batch_alter_table('trades', schema=None) as batch_op:
        batch_op.create_index('ix_trades_strategy_ts', ['strategy_id', 'source', 'ts'], unique=False)

    op.create_table('validation_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('running', 'success', 'passed', 'warning', 'failed', 'skipped', name='status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('triggered_by', sa.Integer(), nullable=True),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id'], name=op.f('fk_validation_runs_strategy_id_strategies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['triggered_by'], ['users.id'], name=op.f('fk_validation_runs_triggered_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_validation_runs'))
    )
    with op.batch_alter_table('validation_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_validation_runs_strategy_id'), ['strategy_id'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=True),
    sa.Column('threshold_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('severity', sa.Enum('info', 'warning', 'critical', name='severity', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('observed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['users.id'], name=op.f('fk_alerts_acknowledged_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id'], name=op.f('fk_alerts_strategy_id_strategies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['threshold_id'], ['thresholds.id'], name=op.f('fk_alerts_threshold_id_thresholds'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_open', ['strategy_id', 'resolved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_raised_at'), ['raised_at'], unique=False)

    op.create_table('stage_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.Enum('research', 'backtest', 'paper', 'live', 'retired', name='from_stage', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('to_stage', sa.Enum('research', 'backtest', 'paper', 'live', 'retired', name='to_stage', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', 'cancelled', name='status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('validation_run_id', sa.Integer(), nullable=True),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_stage_transitions_requested_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategies.id'], name=op.f('fk_stage_transitions_strategy_id_strategies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['validation_run_id'], ['validation_runs.id'], name=op.f('fk_stage_transitions_validation_run_id_validation_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_transitions'))
    )
    with op.batch_alter_table('stage_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_transitions_strategy_id'), ['strategy_id'], unique=False)

    op.create_table('validation_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('running', 'success', 'passed', 'warning', 'failed', 'skipped', name='status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('limit', sa.Float(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['validation_runs.id'], name=op.f('fk_validation_checks_run_id_validation_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_validation_checks'))
    )
    with op.batch_alter_table('validation_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_validation_checks_run_id'), ['run_id'], unique=False)

    op.create_table('approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transition_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.Enum('pending', 'approved', 'rejected', 'cancelled', name='decision', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['transition_id'], ['stage_transitions.id'], name=op.f('fk_approvals_transition_id_stage_transitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_approvals_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approvals'))
    )
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approvals_transition_id'), ['transition_id'], unique=False)
    _time_series_storage()


def _time_series_storage() -> None:
    """Hypertables where TimescaleDB can be created; BRIN on the time column on plain PostgreSQL."""
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    if timescale_available(conn):
        op.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
        # by_range() arrived in TimescaleDB 2.13; the older call works on every 2.x release
        modern = conn.execute(sa.text("SELECT 1 FROM pg_proc WHERE proname = 'by_range'")).first()
        for table, column in TIME_SERIES:
            chunks = "INTERVAL '90 days'"  # years of daily points per strategy: few, full chunks
            dimension = (
                f"by_range('{column}', {chunks})"
                if modern
                else f"'{column}', chunk_time_interval => {chunks}"
            )
            op.execute(f"SELECT create_hypertable('{table}', {dimension}, migrate_data => true)")
        return
    for table, column in TIME_SERIES:
        op.execute(f"CREATE INDEX ix_{table}_{column}_brin ON {table} USING brin ({column})")


def downgrade() -> None:
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approvals_transition_id'))

    op.drop_table('approvals')
    with op.batch_alter_table('validation_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_validation_checks_run_id'))

    op.drop_table('validation_checks')
    with op.batch_alter_table('stage_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_transitions_strategy_id'))

    op.drop_table('stage_transitions')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_raised_at'))
        batch_op.drop_index('ix_alerts_open')

    op.drop_table('alerts')
    with op.batch_alter_table('validation_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_validation_runs_strategy_id'))

    op.drop_table('validation_runs')
    with op.batch_alter_table('trades', schema=None) as batch_op:
        batch_op.drop_index('ix_trades_strategy_ts')

    op.drop_table('trades')
    with op.batch_alter_table('thresholds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thresholds_strategy_id'))

    op.drop_table('thresholds')
    op.drop_table('strategy_accounts')
    op.drop_table('series')
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_runs_report_id'))

    op.drop_table('report_runs')
    op.drop_table('metric_snapshots')
    op.drop_table('team_members')
    with op.batch_alter_table('strategies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_strategies_stage'))

    op.drop_table('strategies')
    op.drop_table('reports')
    op.drop_table('preferences')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_ts'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_table('teams')
    op.drop_table('sync_state')
    op.drop_table('performance')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_runs_started_at'))
        batch_op.drop_index(batch_op.f('ix_job_runs_job_id'))

    op.drop_table('job_runs')
    op.drop_table('data_versions')
    op.drop_table('broker_accounts')
    op.drop_table('benchmarks')
    op.drop_table('benchmark_bars')
