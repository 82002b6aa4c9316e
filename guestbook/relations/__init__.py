"""Guest relations domain: complaints and compliments with the sundown rule, what was promised, and who knows whom."""
