"""Rasa custom actions: a thin adapter between the tracker and the domain core."""
