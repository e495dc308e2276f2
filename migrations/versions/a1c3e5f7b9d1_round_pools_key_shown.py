"""round pools and used keys: rounds.pool_tags, bank_questions.key_shown_at

Revision ID: a1c3e5f7b9d1
Revises: 3e5dec97fadf
Create Date: 2026-12-03 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import contest.db


# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d1'
down_revision = '3e5dec97fadf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pool_tags', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('bank_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_shown_at', contest.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('bank_questions', schema=None) as batch_op:
        batch_op.drop_column('key_shown_at')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('pool_tags')
