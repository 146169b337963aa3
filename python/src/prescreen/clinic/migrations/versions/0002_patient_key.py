"""submissions.patient_key: who a submission is from (patients.py), for the session interval across
a patient's submissions; filled in for the submissions already stored

Revision ID: 0002
Revises: 0001
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from prescreen.clinic.patients import patient_key

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('patient_key', sa.String(length=64), nullable=True))
        batch_op.create_index('submissions_patient', ['patient_key'], unique=False)

    # The stored submissions get their key from the same columns a new one is made from.
    conn = op.get_bind()
    table = sa.table('submissions', sa.column('id'), sa.column('answers'), sa.column('consent_record'),
                     sa.column('contact'), sa.column('patient_key'))
    rows = conn.execute(sa.select(table.c.id, table.c.answers, table.c.consent_record, table.c.contact)).all()
    keys = [{"row_id": r.id, "key": patient_key(json.loads(r.answers), json.loads(r.consent_record) if r.consent_record else None,
                                                 json.loads(r.contact) if r.contact else None)} for r in rows]
    keys = [k for k in keys if k["key"] is not None]
    if keys:
        conn.execute(table.update().where(table.c.id == sa.bindparam("row_id")).values(patient_key=sa.bindparam("key")), keys)


def downgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('submissions_patient')
        batch_op.drop_column('patient_key')
