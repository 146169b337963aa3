"""Two-step consent: submissions.information_record (the patient's pre-visit record that the consent
document was shown and read, sealed by the back office on receipt) and submissions.locale (the
language the patient read it in, so the consultation shows the same texts)

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('information_record', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('locale', sa.String(length=35), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('locale')
        batch_op.drop_column('information_record')
