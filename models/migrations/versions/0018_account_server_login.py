"""per-person server logins (issue 16): account.server_login, the account's PostgreSQL LOGIN role

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('account') as batch:
        batch.add_column(sa.Column('server_login', sa.String(length=63), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('account') as batch:
        batch.drop_column('server_login')
