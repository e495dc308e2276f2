"""unit_merges (units merged into another from a date) and published_rows.unit_path (the tree of publication)

Revision ID: a7d3e915c4b2
Revises: f4b2c8d61e07
Create Date: 2026-12-04 18:30:00.000000

Rows published before this migration get their path from the tree as it stands when the migration runs: the tree
of their publication day is not known any more, and until now they were shown with today's tree anyway.
"""
from alembic import op
import sqlalchemy as sa

import contest.db


# revision identifiers, used by Alembic.
revision = 'a7d3e915c4b2'
down_revision = 'f4b2c8d61e07'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'unit_merges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('merged_id', sa.Integer(), nullable=False),
        sa.Column('into_id', sa.Integer(), nullable=False),
        sa.Column('effective_on', sa.Date(), nullable=False),
        sa.Column('members', sa.Integer(), nullable=False),
        sa.Column('children', sa.Integer(), nullable=False),
        sa.Column('created_at', contest.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
        sa.ForeignKeyConstraint(['into_id'], ['units.id'], ),
        sa.ForeignKeyConstraint(['merged_id'], ['units.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('unit_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_merges_into_id'), ['into_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_merges_merged_id'), ['merged_id'], unique=False)
    with op.batch_alter_table('published_rows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_path', sa.JSON(), nullable=True))
    _fill_paths()


def _fill_paths():
    """Each published row's unit path from today's tree: one update per unit (a tree of 10,000 units), not per
    row (millions)."""
    connection = op.get_bind()
    units = sa.table('units', sa.column('id'), sa.column('code'), sa.column('name'), sa.column('level'),
                     sa.column('path'))
    rows = sa.table('published_rows', sa.column('unit_id'), sa.column('unit_path', sa.JSON()))
    found = {unit.id: unit for unit in connection.execute(
        sa.select(units.c.id, units.c.code, units.c.name, units.c.level, units.c.path))}
    used = connection.execute(sa.select(rows.c.unit_id).distinct()).scalars().all()
    paths = []
    for unit_id in used:
        chain = []
        if unit_id in found:
            for part in found[unit_id].path.strip('/').split('/'):
                ancestor = found.get(int(part)) if part else None
                if ancestor is not None:
                    chain.append([ancestor.id, ancestor.code, ancestor.name, ancestor.level])
        paths.append({'key': unit_id, 'path': chain})
    for item in paths:
        where = rows.c.unit_id.is_(None) if item['key'] is None else rows.c.unit_id == item['key']
        connection.execute(rows.update().where(where).values(unit_path=item['path']))


def downgrade():
    with op.batch_alter_table('published_rows', schema=None) as batch_op:
        batch_op.drop_column('unit_path')
    with op.batch_alter_table('unit_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_merges_merged_id'))
        batch_op.drop_index(batch_op.f('ix_unit_merges_into_id'))
    op.drop_table('unit_merges')
