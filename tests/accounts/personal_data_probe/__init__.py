"""A stand-in for another app (campaigns, tracker) that holds personal data, to test the hooks."""
