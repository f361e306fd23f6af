"""Language checks of what the casemanager writes (jargon, readability)."""
