"""sync you can trust: op signatures, receiver-set roles, audit witnesses, quarantine reasons, fork
alerts, introduced sites, withdrawn exposures

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('op', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sig', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('sync_peer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role_claimed', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('their_audit_head', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('my_audit_witness', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('sync_exposed_row', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn', sa.Boolean(), server_default='0', nullable=False))
    with op.batch_alter_table('sync_op_quarantine', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=40), server_default='unknown_field', nullable=False))
        batch_op.add_column(sa.Column('from_site', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('at', sa.String(length=40), server_default='', nullable=False))
    op.create_table('sync_fork_alert',
    sa.Column('op_id', sa.String(length=80), nullable=False),
    sa.Column('from_site', sa.String(length=40), nullable=False),
    sa.Column('local_body', sa.Text(), nullable=False),
    sa.Column('remote_body', sa.Text(), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('seen', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('op_id')
    )
    op.create_table('sync_known_site',
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('peer_file', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('introduced_by', sa.String(length=40), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('site_id')
    )
    # The receiver decides roles: a peer added before this version keeps the role it claimed as the
    # claimed one; its write rights follow the profile this side gave it.
    op.execute("UPDATE sync_peer SET role_claimed = role")
    op.execute("UPDATE sync_peer SET role = 'government' WHERE profile = 'gov_view'")


def downgrade() -> None:
    op.drop_table('sync_known_site')
    op.drop_table('sync_fork_alert')
    with op.batch_alter_table('sync_op_quarantine', schema=None) as batch_op:
        batch_op.drop_column('at')
        batch_op.drop_column('from_site')
        batch_op.drop_column('reason')
    with op.batch_alter_table('sync_exposed_row', schema=None) as batch_op:
        batch_op.drop_column('withdrawn')
    with op.batch_alter_table('sync_peer', schema=None) as batch_op:
        batch_op.drop_column('my_audit_witness')
        batch_op.drop_column('their_audit_head')
        batch_op.drop_column('role_claimed')
    with op.batch_alter_table('op', schema=None) as batch_op:
        batch_op.drop_column('sig')
