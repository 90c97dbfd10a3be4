"""Sales rules with no I/O: pricing a quote."""
