"""bank_images: pictures of questions and options; a revision's stem image and its text alternative

Revision ID: a7d3e9b1c4f2
Revises: a7d3e915c4b2
Create Date: 2026-12-04 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import contest.db


# revision identifiers, used by Alembic.
revision = 'a7d3e9b1c4f2'
down_revision = 'a7d3e915c4b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'bank_images',
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('mime', sa.String(length=32), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('bytes', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', contest.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_bank_images_created_by_id_users')),
        sa.PrimaryKeyConstraint('sha256', name=op.f('pk_bank_images')),
    )
    with op.batch_alter_table('bank_question_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('image_alt', sa.String(length=300), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('bank_question_revisions', schema=None) as batch_op:
        batch_op.drop_column('image_alt')
        batch_op.drop_column('image')
    op.drop_table('bank_images')
