"""Reservation pages: the manual form, file import and the possible-match queue."""
