"""Business rules as plain typed functions; they own transactions and never touch the request."""
