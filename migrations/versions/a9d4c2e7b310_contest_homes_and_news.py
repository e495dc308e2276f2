"""contest_homes and contest_news: a contest's rules, prizes, banner image and news posts

Revision ID: a9d4c2e7b310
Revises: e3f1a7c5d920
Create Date: 2026-12-03 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import contest.db


# revision identifiers, used by Alembic.
revision = 'a9d4c2e7b310'
down_revision = 'e3f1a7c5d920'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contest_homes',
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('rules', sa.Text(), nullable=False),
    sa.Column('prizes', sa.Text(), nullable=False),
    sa.Column('banner', sa.LargeBinary(), nullable=True),
    sa.Column('banner_type', sa.String(length=32), nullable=True),
    sa.Column('banner_hash', sa.String(length=64), nullable=True),
    sa.Column('banner_width', sa.Integer(), nullable=True),
    sa.Column('banner_height', sa.Integer(), nullable=True),
    sa.Column('updated_at', contest.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_homes_contest_id_contests'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contest_id', name=op.f('pk_contest_homes'))
    )
    op.create_table('contest_news',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('published_at', contest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', contest.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', contest.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_news_contest_id_contests'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_news'))
    )
    with op.batch_alter_table('contest_news', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contest_news_contest_id'), ['contest_id'], unique=False)


def downgrade():
    with op.batch_alter_table('contest_news', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contest_news_contest_id'))
    op.drop_table('contest_news')
    op.drop_table('contest_homes')
