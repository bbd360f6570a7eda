"""Channel variable names shared with dialplan/extensions.conf: defined here, once."""

QUEUE = "ACD_QUEUE"            # the queue Queue() joins
MAX_WAIT = "ACD_MAX_WAIT"      # Queue()'s timeout argument, seconds
ROUTED = "ACD_ROUTED"          # "1" once the daemon chose the route (absent: dialplan default)
