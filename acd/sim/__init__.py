"""A discrete-event simulator of the center on a virtual clock (docs/simulator.md).

Asterisk's part (callers waiting by priority then arrival, the longest-idle eligible agent
ringing, answering, wrap-up, callers giving up) is modelled here; every decision the engine
makes (who may take a caller after how long, what a callback does after an attempt, the
expected wait) is the core's own function (acd/core/tiers.py, dispatch.py, callbacks.py, ewt.py).
Pure: no I/O, time is virtual, randomness comes from one seeded random.Random.
"""
