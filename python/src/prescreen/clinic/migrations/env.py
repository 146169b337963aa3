"""Alembic environment: the back office passes its own connection (Store.migrate); nothing is read
from an alembic.ini."""

from alembic import context

from prescreen.clinic.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through prescreen.clinic.storage.Store.migrate()")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
