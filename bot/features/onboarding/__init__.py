"""Onboarding: /start, language, create or join an organisation, /demo, /help."""
