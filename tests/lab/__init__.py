"""The lab's parts only tests use (not shipped in the wheel)."""
