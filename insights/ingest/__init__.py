"""Ingest stage: read files, validate rows, redact PII, detect language, dedupe into the store."""
