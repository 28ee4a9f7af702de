"""/allocation: coverage, rules and suggested rules; create, edit, delete, accept."""
