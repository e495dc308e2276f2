"""users: consent version and time (Decree 13/2023), and the retention command's mark; export_jobs.places

Revision ID: c0a5e7d13b24
Revises: a1c3e5f7b9d1
Create Date: 2026-12-03 06:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import contest.db


# revision identifiers, used by Alembic.
revision = 'c0a5e7d13b24'
down_revision = 'a1c3e5f7b9d1'
branch_labels = None
depends_on = None


def upgrade():
    # Every column nullable: accounts made before consent was recorded keep None (not recorded).
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_version', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('consent_at', contest.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('guardian_consent', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('personal_data_removed', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('personal_data_removed_at', contest.db.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('places', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_column('places')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('personal_data_removed_at')
        batch_op.drop_column('personal_data_removed')
        batch_op.drop_column('guardian_consent')
        batch_op.drop_column('consent_at')
        batch_op.drop_column('consent_version')
