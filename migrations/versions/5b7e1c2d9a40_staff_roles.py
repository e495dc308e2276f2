"""staff_roles: what an organiser may do (contests, the bank, or read-only a unit subtree)

Existing organisers keep what they did: without a unit scope they become contest organisers, with one unit
organisers.

Revision ID: 5b7e1c2d9a40
Revises: c0a5e7d13b24
Create Date: 2026-12-03 06:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e1c2d9a40'
down_revision = 'c0a5e7d13b24'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staff_role', sa.Enum('contest', 'bank', 'unit', name='staffrole',
                                                            native_enum=False, length=16), nullable=True))
    users = sa.table('users', sa.column('role'), sa.column('scope_unit_id'), sa.column('staff_role'))
    op.execute(users.update().where(users.c.role == 'organiser', users.c.scope_unit_id.is_(None))
               .values(staff_role='contest'))
    op.execute(users.update().where(users.c.role == 'organiser', users.c.scope_unit_id.is_not(None))
               .values(staff_role='unit'))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('staff_role')
