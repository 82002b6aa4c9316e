"""The property's data kept trustworthy (issue 13): the guest access log, backups and restores; imports of a
property's past, duplicates and undoable merges, privacy requests and retention come next.

The top layer: it may read and change every domain below it (a merge or an erasure touches guests,
reservations, letters and briefings), and no domain imports it.
"""
