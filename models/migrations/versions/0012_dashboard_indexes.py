"""covering indexes for the 首页 counts (cases by 办理状态, suggestions by stage)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_case_record_live_status', 'case_record', ['deleted', 'status'])
    op.create_index('ix_suggestion_live_stage', 'suggestion',
                    ['deleted', 'litigation', 'closed_on', 'replied_on', 'rectification', 'served_on', 'issued_on'])


def downgrade() -> None:
    op.drop_index('ix_suggestion_live_stage', table_name='suggestion')
    op.drop_index('ix_case_record_live_status', table_name='case_record')
