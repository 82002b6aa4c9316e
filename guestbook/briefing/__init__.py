"""The arrival briefing: assembled per day and outlet, on screen, as JSON and PDF, archived, read and mailed."""
