"""indexes for the 首页 due list and its counts: open replies and 回头看 dates in date order

Revision ID: 0013_due
Revises: 0012
Create Date: 2026-12-03
"""
from alembic import op

revision = '0013_due'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_suggestion_open_reply', 'suggestion', ['deleted', 'closed_on', 'replied_on', 'reply_due'])
    op.create_index('ix_suggestion_open_follow_up', 'suggestion', ['deleted', 'closed_on', 'follow_up_due'])


def downgrade() -> None:
    op.drop_index('ix_suggestion_open_follow_up', table_name='suggestion')
    op.drop_index('ix_suggestion_open_reply', table_name='suggestion')
