"""gesprekscoach: a practice partner for Dutch casemanagers.

The domain core (personas, persona engine, language check, storage) lives in
this package and imports neither rasa_sdk nor telegram, so it can be tested and
reused on its own. ``actions/`` and ``bot/`` are thin adapters around it.
"""

__version__ = "0.1.0"
