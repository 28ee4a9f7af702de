"""/rates: exchange rates into the organisation's currency — view (members), set (owner,
admin, finance) with a short flow: currency, rate (a decimal comma is fine), first day."""
