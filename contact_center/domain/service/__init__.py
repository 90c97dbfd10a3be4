"""Service rules with no I/O: what a customer's equipment is entitled to."""
