"""ReportLab rendering: fonts, briefing and letters PDFs from plain data."""
