"""Alembic migrations of the ClinicOps schema (run through :mod:`data_access.migrate`)."""
