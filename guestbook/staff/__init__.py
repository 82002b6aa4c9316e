"""Staff: accounts, sign-in and PIN, API keys, and who is calling each request."""
