"""Prefect flows: thin orchestration over the insights library."""
