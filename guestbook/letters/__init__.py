"""Letters: we-miss-you and occasion letters, their templates, batches, PDFs, pages, API and CLI."""
