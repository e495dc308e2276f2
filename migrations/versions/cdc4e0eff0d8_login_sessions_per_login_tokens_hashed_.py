"""login_sessions: per-login tokens, hashed, revocable

Revision ID: cdc4e0eff0d8
Revises: 5b7e1c2d9a40
Create Date: 2026-12-03 06:42:11.208911

"""
from alembic import op
import sqlalchemy as sa

import contest.db


# revision identifiers, used by Alembic.
revision = 'cdc4e0eff0d8'
down_revision = '5b7e1c2d9a40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', contest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', contest.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_sessions_token_hash'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))

    op.drop_table('login_sessions')
