"""Briefing pages: the arrival briefing on screen, its PDF, the archive and who read it."""
