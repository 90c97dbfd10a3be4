"""Benchmarks behind `contact-center bench KIND`: one module per kind, each with ``register(subparsers)``.

Benchmarks print figures (JSON with ``--json``); nothing here asserts a speed.
"""
