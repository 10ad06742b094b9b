"""origin attestations of ops (issue 15, op format 2): one signed digest list per batch of a site's ops

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A file stamped back to an older revision by hand (tests/accounts builds "the version before accounts"
    # by stamping 0015 over a current schema) already has the table: nothing to do then.
    if 'sync_attestation' in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        'sync_attestation',
        sa.Column('att_id', sa.String(length=64), nullable=False),
        sa.Column('site_id', sa.String(length=40), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('att_id'),
    )
    with op.batch_alter_table('sync_attestation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_attestation_site_id'), ['site_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sync_attestation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_attestation_site_id'))
    op.drop_table('sync_attestation')
