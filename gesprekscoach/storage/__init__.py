"""Storage of practice sessions (SQLAlchemy 1.4, 2.0-style API; SQLite or PostgreSQL)."""
