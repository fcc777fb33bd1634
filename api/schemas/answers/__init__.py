"""The answers' envelopes (pages of items, health, search hits...) and query arguments."""
