"""Fallback: what the bot did not understand gets what it did understand and buttons."""
