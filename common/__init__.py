"""Small helpers below the apps (roles ← incidents ← reporting all may import them): text that
must fit where it goes, spreadsheet cells, redirects, and the lengths of typed text."""
