"""Reservations: bookings from every door (API, file import, manual form), guest matching, possible matches."""
