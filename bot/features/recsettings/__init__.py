"""/recrules: which recommendation rules run for the organisation and their thresholds
(finance and up change them); the reason step of a dismiss or snooze from /recs."""
