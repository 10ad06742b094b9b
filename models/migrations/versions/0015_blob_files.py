"""attachment bytes leave the database file: blob key, existing blob rows moved to encrypted files

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-03

The migration backup (models/migrate.py, verified) is taken before this runs. Each row is written to
an fsynced blob file before the transaction that deletes it commits: an interruption leaves the rows
in place (and at worst unreferenced files, removed by collect_garbage)."""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0013_due'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blob_key',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('secret', sa.LargeBinary(), nullable=False),
                    sa.PrimaryKeyConstraint('id'))
    from models.blobstore import ensure_blob_key, move_table_blobs

    conn = op.get_bind()
    ensure_blob_key(conn)
    move_table_blobs(conn)


def downgrade() -> None:
    op.drop_table('blob_key')
