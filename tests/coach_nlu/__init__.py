"""Unit tests of the Rasa NLU components in coach_nlu/."""
