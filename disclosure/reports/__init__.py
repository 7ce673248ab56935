"""Reports and downloads: catalogue listings (staff and public), the compliance report, and
the one pipeline every download goes through (``downloads``)."""
