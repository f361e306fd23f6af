"""The Rasa server's side of the practice channel (loaded by Rasa from credentials.yml and
endpoints.yml): the only way in for clients, and a tracker store that owns up to failures."""
