"""/settings: language, time zone and notification preferences."""
