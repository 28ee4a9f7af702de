"""Pure maths on daily cost series: no database, no I/O, deterministic.

Series are `list[tuple[date, Decimal]]`, one point per day. Statistics run in floats
(numpy); every money figure leaving this package is a Decimal rounded to the kopeck.
"""
