"""Webhooks out: what the deliverer sends, signed, with retries."""
