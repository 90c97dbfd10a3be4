"""Believable demo data: reference records (queues, skills, calendars, users) and a synthetic customer base."""
