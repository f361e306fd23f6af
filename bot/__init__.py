"""The Telegram front end (python-telegram-bot 22): casemanagers practise on their phone."""
