"""Budgets in the chat: the card of a budget, the new-budget wizard, edit and delete."""
