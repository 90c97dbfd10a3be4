"""The outbound dialer: campaigns' records placed as owned calls on the telephony port."""
