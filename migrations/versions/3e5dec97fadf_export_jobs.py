"""export_jobs: organiser exports written in the background, with their progress

Revision ID: 3e5dec97fadf
Revises: 24c1efd17649
Create Date: 2026-11-28 00:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import contest.db


# revision identifiers, used by Alembic.
revision = '3e5dec97fadf'
down_revision = '24c1efd17649'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('export_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=8), nullable=False),
    sa.Column('fmt', sa.String(length=8), nullable=False),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='jobstatus', native_enum=False, length=8), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=255), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', contest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', contest.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_export_jobs_created_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_export_jobs_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs'))
    )
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_jobs_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_jobs_round_id'), ['round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_jobs_round_id'))
        batch_op.drop_index(batch_op.f('ix_export_jobs_created_at'))

    op.drop_table('export_jobs')
