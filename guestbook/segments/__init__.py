"""Segments domain: who matters and who is slipping away (lapse model on each guest's own rhythm, RFM, tiers)."""
