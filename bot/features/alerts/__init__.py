"""Alert buttons: details, acknowledge, snooze, planned / expected — each press is feedback."""
