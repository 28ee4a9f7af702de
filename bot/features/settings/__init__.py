"""/settings: language, time zone, notification preferences and the organisation's LLM switch."""
