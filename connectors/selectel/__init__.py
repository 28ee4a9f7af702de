"""Selectel: billing-first connector (consumption API is the truth; OpenStack enriches)."""
