"""Free-text questions → `ParsedQuery` (intent, period, filters), Russian and English.

Pure code: no database, no bot. The bot builds a `Vocabulary` from the organisation's names.
"""
