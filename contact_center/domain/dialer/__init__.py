"""The outbound dialer's pure parts: how many lines to dial now (pacing) and the abandonment ledger."""
