"""ticket-insights: multilingual support tickets -> stable, ranked product themes."""

__version__ = "0.1.0"
