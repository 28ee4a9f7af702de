"""Delivery: drains the outbox to Telegram within its limits."""

from bot.delivery.sender import DrainStats, Sender, SenderRates, worker_id

__all__ = ["DrainStats", "Sender", "SenderRates", "worker_id"]
