"""users.name_key: the folded full name the public leaderboard search matches

Revision ID: 24c1efd17649
Revises: bd0eb79b973a
Create Date: 2026-11-28 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# Imported rather than copied: the search folds what is typed with this same function at query time, so stored
# keys are only findable if they were folded by it too; a copy frozen here could drift from it. fold is pure
# (no app, no database) and its contract is fixed in its docstring.
from contest.search_text import fold


# revision identifiers, used by Alembic.
revision = '24c1efd17649'
down_revision = 'bd0eb79b973a'
branch_labels = None
depends_on = None

NAME_LENGTH = 120
BATCH = 1000

users = sa.table('users', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
                 sa.column('name_key', sa.String))
# The keys are computed here in Python and written through this scratch table with multi-row INSERTs, then one
# UPDATE ... FROM: an UPDATE per user (executemany, a round trip per row on psycopg2) took a minute for 250,000
# users with the table locked by the ALTER; a CASE of 1,000 branches per page took half of that.
scratch = sa.Table('name_keys_backfill', sa.MetaData(), sa.Column('id', sa.Integer, primary_key=True),
                   sa.Column('name_key', sa.String(NAME_LENGTH), nullable=False), prefixes=['TEMPORARY'])


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=NAME_LENGTH), server_default='', nullable=False))

    connection = op.get_bind()
    scratch.create(connection)
    last_id = 0
    while True:
        # Keyset pages: a quarter of a million names are never held in memory at once.
        rows = connection.execute(sa.select(users.c.id, users.c.full_name).where(users.c.id > last_id)
                                  .order_by(users.c.id).limit(BATCH)).all()
        if not rows:
            break
        # Cut to the column: NFD can lengthen a name (Hangul), and PostgreSQL refuses an over-long value.
        connection.execute(scratch.insert(), [{'id': row_id, 'name_key': fold(name)[:NAME_LENGTH]}
                                              for row_id, name in rows])
        last_id = rows[-1].id
    connection.execute(users.update().where(users.c.id == scratch.c.id).values(name_key=scratch.c.name_key))
    scratch.drop(connection)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('name_key')
