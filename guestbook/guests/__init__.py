"""Guests: profiles, allergies, preferences, notes, diets, visits, recognition and search, with their pages and API."""
