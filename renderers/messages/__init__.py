"""Telegram message templates: answers, alerts and other chat texts built from catalogues."""
