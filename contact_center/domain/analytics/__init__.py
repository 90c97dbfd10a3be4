"""The arithmetic of the analytics pages (pure): what the grouped queries return, turned into the figures shown."""
