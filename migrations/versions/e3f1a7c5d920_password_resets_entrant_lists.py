"""password_resets and entrant_list_jobs: one-time codes to set a password, schools' lists of students

Revision ID: e3f1a7c5d920
Revises: b7c4e2a91d05
Create Date: 2026-12-03 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import contest.db


# revision identifiers, used by Alembic.
revision = 'e3f1a7c5d920'
down_revision = 'b7c4e2a91d05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.Enum('assisted', 'email', 'slip', name='resetpurpose', native_enum=False, length=16),
              nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', contest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', contest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', contest.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_password_resets_created_by_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_resets_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_password_resets_code_hash'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_user_id'), ['user_id'], unique=False)

    op.create_table('entrant_list_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'checking', 'ready', 'rejected', 'confirmed', 'importing', 'done', 'failed',
                                name='importstatus', native_enum=False, length=10), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('scope_unit_id', sa.Integer(), nullable=True),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('slips', sa.JSON(), nullable=True),
    sa.Column('accounts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', contest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', contest.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_entrant_list_jobs_created_by_id_users')),
    sa.ForeignKeyConstraint(['scope_unit_id'], ['units.id'], name=op.f('fk_entrant_list_jobs_scope_unit_id_units'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entrant_list_jobs'))
    )
    with op.batch_alter_table('entrant_list_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entrant_list_jobs_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_entrant_list_jobs_created_by_id'), ['created_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('entrant_list_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entrant_list_jobs_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_entrant_list_jobs_created_at'))
    op.drop_table('entrant_list_jobs')
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_resets_user_id'))
    op.drop_table('password_resets')
