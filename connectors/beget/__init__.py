"""Beget: the legacy hosting API (login + API password) and the v1 cloud API (JWT)."""
