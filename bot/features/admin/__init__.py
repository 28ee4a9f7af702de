"""Superadmin tools behind /admin; invisible to everyone else."""
