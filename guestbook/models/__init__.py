"""Column types shared by every domain's models (the migrations refer to ``guestbook.models.base``)."""
