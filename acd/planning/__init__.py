"""Workforce planning: Erlang B/C/A calculators, staffing and trunks per interval, shift plans.

Pure functions (no I/O, no clock): the CLI (`acd staffing`) and the reports call them."""
