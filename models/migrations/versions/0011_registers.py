"""线索移送, 专项活动 (with phases and links) and 信息共享 registers

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def _bookkeeping() -> list[sa.Column]:
    return [sa.Column('id', sa.Uuid(), nullable=False),
            sa.Column('created_hlc', sa.BigInteger(), nullable=False),
            sa.Column('updated_hlc', sa.BigInteger(), nullable=False),
            sa.Column('updated_site', sa.String(length=40), nullable=False),
            sa.Column('deleted', sa.Boolean(), nullable=False),
            sa.PrimaryKeyConstraint('id')]


def _standard_indexes(table: str, *extra: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in ('deleted', 'updated_hlc', *extra):
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def upgrade() -> None:
    op.create_table('clue_transfer',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('direction', sa.String(length=20), nullable=False),
    sa.Column('doc_no', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('from_unit', sa.String(length=200), nullable=False),
    sa.Column('to_unit', sa.String(length=200), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('feedback_days', sa.Integer(), nullable=False),
    sa.Column('feedback_on', sa.Date(), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('to_government', sa.Boolean(), nullable=False),
    *_bookkeeping(),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], ),
    )
    _standard_indexes('clue_transfer')
    op.create_table('campaign',
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('lead_units', sa.Text(), nullable=False),
    sa.Column('member_units', sa.Text(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('summary_due', sa.Date(), nullable=True),
    sa.Column('summary_on', sa.Date(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    *_bookkeeping(),
    )
    _standard_indexes('campaign')
    op.create_table('campaign_phase',
    sa.Column('campaign_id', sa.Uuid(), nullable=False),
    sa.Column('sort_key', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=True),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    *_bookkeeping(),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    )
    _standard_indexes('campaign_phase', 'campaign_id')
    op.create_table('campaign_link',
    sa.Column('campaign_id', sa.Uuid(), nullable=False),
    sa.Column('target_entity', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Uuid(), nullable=True),
    *_bookkeeping(),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    )
    _standard_indexes('campaign_link', 'campaign_id')
    op.create_table('info_share',
    sa.Column('direction', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('period', sa.String(length=60), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('schedule', sa.String(length=100), nullable=False),
    sa.Column('next_due', sa.Date(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    *_bookkeeping(),
    )
    _standard_indexes('info_share')


def downgrade() -> None:
    for table in ('info_share', 'campaign_link', 'campaign_phase', 'campaign', 'clue_transfer'):
        op.drop_table(table)
