"""Renode's Robot Framework keywords over the harness, and the renode-test runner."""
