"""Pure readers and writers between files and plain dataclasses (no Flask, no SQLAlchemy)."""
