"""Feedback against the tips of the communicatiekaart and the A&O werkateliers."""
