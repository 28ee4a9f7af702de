"""/recrules: which recommendation rules run for the organisation; finance and up switch them."""
