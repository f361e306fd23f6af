"""Rasa NLU components of gesprekscoach (imported by Rasa through config.yml)."""
