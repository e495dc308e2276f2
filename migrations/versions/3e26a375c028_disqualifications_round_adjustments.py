"""disqualifications, round_adjustments and rounds.paused_at: entrants excluded from a round or contest, and
rounds in flight (pause, resume, a later close, extra time or attempts)

Revision ID: 3e26a375c028
Revises: 869d50a6aa79
Create Date: 2026-12-03 15:13:20.986593

"""
from alembic import op
import sqlalchemy as sa

import contest.db


# revision identifiers, used by Alembic.
revision = '3e26a375c028'
down_revision = '869d50a6aa79'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('disqualifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', contest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('lifted_at', contest.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.Column('lift_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_disqualifications_contest_id_contests')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_disqualifications_created_by_id_users')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name=op.f('fk_disqualifications_lifted_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_disqualifications_round_id_rounds')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_disqualifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disqualifications'))
    )
    with op.batch_alter_table('disqualifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disqualifications_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disqualifications_user_id'), ['user_id'], unique=False)

    op.create_table('round_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('pause', 'resume', 'extend', 'extra_time', 'extra_attempt', name='adjustmentkind',
                              native_enum=False, length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('seconds', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', contest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_round_adjustments_created_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_adjustments_round_id_rounds')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_round_adjustments_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_round_adjustments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_adjustments'))
    )
    with op.batch_alter_table('round_adjustments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_adjustments_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_at', contest.db.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('paused_at')

    with op.batch_alter_table('round_adjustments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_adjustments_round_id'))

    op.drop_table('round_adjustments')
    with op.batch_alter_table('disqualifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disqualifications_user_id'))
        batch_op.drop_index(batch_op.f('ix_disqualifications_contest_id'))

    op.drop_table('disqualifications')
