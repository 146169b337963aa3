"""initial schema: packs, submissions, rescreenings, overrides, treatments, audit, users, sessions

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _create_kept_with_submission(name, id_column, *columns, foreign_keys=()):
    """A table of what staff record about a submission (rescreenings, overrides, treatments): its own
    id, the submission it belongs to (indexed), its columns, then when ('at') and by whom ('by')."""
    op.create_table(name,
    id_column,
    sa.Column('submission_id', sa.String(length=40), nullable=False),
    *columns,
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    *foreign_keys,
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_submission_id'), ['submission_id'], unique=False)


def _drop_kept_with_submission(name):
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f'ix_{name}_submission_id'))

    op.drop_table(name)


def upgrade() -> None:

    op.create_table('audit',
    sa.Column('seq', sa.Integer().with_variant(sa.BigInteger(), 'postgresql'), autoincrement=False, nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('submission_id', sa.String(length=40), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('prev_digest', sa.String(length=64), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_submission_id'), ['submission_id'], unique=False)

    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer().with_variant(sa.BigInteger(), 'postgresql'), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('packs',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('protocol_id', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('stored_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('digest')
    )
    op.create_table('users',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('disabled', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('sessions',
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('user_name', sa.String(length=100), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['user_name'], ['users.name'], ),
    sa.PrimaryKeyConstraint('token_digest')
    )
    op.create_table('submissions',
    sa.Column('seq', sa.Integer().with_variant(sa.BigInteger(), 'postgresql'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('submission_key', sa.String(length=128), nullable=False),
    sa.Column('request_digest', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.String(length=40), nullable=False),
    sa.Column('received_on', sa.String(length=10), nullable=False),
    sa.Column('today', sa.String(length=10), nullable=False),
    sa.Column('pack_digest', sa.String(length=64), nullable=False),
    sa.Column('protocol_id', sa.String(length=200), nullable=False),
    sa.Column('protocol_version', sa.String(length=100), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('defer_until', sa.String(length=10), nullable=True),
    sa.Column('outcome_on_receipt', sa.String(length=40), nullable=False),
    sa.Column('queue_rank', sa.Integer(), nullable=False),
    sa.Column('flags', sa.Text(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('result_on_receipt', sa.Text(), nullable=False),
    sa.Column('browser_result', sa.Text(), nullable=True),
    sa.Column('consent_record', sa.Text(), nullable=True),
    sa.Column('consent_digest', sa.String(length=64), nullable=True),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('receipt', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reviewed_at', sa.String(length=40), nullable=True),
    sa.Column('reviewed_by', sa.String(length=100), nullable=True),
    sa.Column('countersignature', sa.Text(), nullable=True),
    sa.Column('withdrawal', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['pack_digest'], ['packs.digest'], ),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('id'),
    sa.UniqueConstraint('submission_key')
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('submissions_queue', ['status', 'queue_rank', 'seq'], unique=False)
        batch_op.create_index('submissions_received', ['received_at'], unique=False)

    _create_kept_with_submission('overrides',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=100), nullable=False),
    sa.Column('register', sa.String(length=100), nullable=False),
    sa.Column('registration_number', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    )
    _create_kept_with_submission('rescreenings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('pack_digest', sa.String(length=64), nullable=False),
    sa.Column('today', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    foreign_keys=[sa.ForeignKeyConstraint(['pack_digest'], ['packs.digest'], )],
    )
    _create_kept_with_submission('treatments',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('consent_digest', sa.String(length=64), nullable=False),
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('follow_ups', sa.Text(), nullable=False),
    )




def downgrade() -> None:

    _drop_kept_with_submission('treatments')
    _drop_kept_with_submission('rescreenings')
    _drop_kept_with_submission('overrides')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('submissions_received')
        batch_op.drop_index('submissions_queue')

    op.drop_table('submissions')
    op.drop_table('sessions')
    op.drop_table('users')
    op.drop_table('packs')
    op.drop_table('audit_head')
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_submission_id'))

    op.drop_table('audit')

