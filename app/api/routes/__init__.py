"""HTTP routes of the extraction service."""
