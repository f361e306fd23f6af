"""Werkateliers: group exercises a trainer prepares, opens and closes."""
