"""Trainer accounts and their logins: passwords, server-side sessions."""
