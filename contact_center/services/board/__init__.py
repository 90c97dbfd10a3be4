"""What the supervisors' board adds to routing's figures: alerts that are kept and acknowledged."""
