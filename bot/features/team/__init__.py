"""The team feature."""
