"""The main menu: every question and the connections, one tap away (/menu, and after /start)."""
