"""Alembic migrations of the server schema, run at start-up by db.run_migrations."""
