"""The trainers' review dashboard (Flask, server-rendered)."""
