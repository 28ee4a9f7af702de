"""Connections: the /connect wizard, /connections management and file imports."""
