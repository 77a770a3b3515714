"""Alembic environment: runs on the connection :func:`abcd.db.migrate_schema` hands over, in its transaction.

That transaction holds the schema lock (PostgreSQL's advisory lock, SQLite's
write lock), so the revisions run once however many processes start at the
same time. A schema comparison (autogenerate) leaves out what only a PostGIS
database has (:func:`abcd.db.portable_schema_object`).
"""

from __future__ import annotations

from alembic import context

from abcd.db import portable_schema_object
from abcd.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection, target_metadata=metadata, render_as_batch=True, include_object=portable_schema_object
)
with context.begin_transaction():
    context.run_migrations()
