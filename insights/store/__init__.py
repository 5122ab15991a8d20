"""The store: SQLAlchemy tables, engine set-up and migrations."""

from insights.store.db import connect, session_scope
from insights.store.models import Base

__all__ = ["Base", "connect", "session_scope"]
