"""Renode's testers over the harness: terminal (UART), LED and log testers, in virtual time."""
