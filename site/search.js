// Site search: loads the search index on first use (written in a later change).
