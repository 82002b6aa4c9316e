"""Administration: the property, its outlets and timezone ("today" at the property), settings, and their pages."""
