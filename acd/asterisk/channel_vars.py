"""Channel variable names shared with dialplan/extensions.conf: defined here, once."""

QUEUE = "ACD_QUEUE"  # the queue Queue() joins
MAX_WAIT = "ACD_MAX_WAIT"  # Queue()'s timeout argument, seconds
ROUTED = "ACD_ROUTED"  # who chose the route: "daemon" or "fallback" (absent: the dialplan default)
CANDIDATES = "ACD_CUSTOMER_CANDIDATES"  # how many customers share the caller's number (2+)
CUSTOMER_ID = "ACD_CUSTOMER_ID"
SEGMENT = "ACD_SEGMENT"
LANGUAGE = "ACD_LANGUAGE"
VIP = "ACD_VIP"  # "1" or "0"
CLOSED = "ACD_CLOSED"  # "1": the line is closed; the IVR said so, the dialplan hangs up
CATEGORY = "ACD_CATEGORY"  # what the IVR learned, for the agent's screen
ACCOUNT = "ACD_ACCOUNT"
VERIFIED = "ACD_VERIFIED"  # verified | not_verified | locked | "" (not asked)
PRIORITY = "ACD_PRIORITY"  # Queue()'s QUEUE_PRIO
IVR_STEPS = "ACD_IVR_STEPS"  # how far the caller got, e.g. "language:de category:complaint"
PREFERRED_QUEUE = "ACD_PREFERRED_QUEUE"  # a repeat caller's last agent's own queue, tried first
AGI_OK = "ACD_AGI_OK"  # "1": the daemon's route ran to its end; the dialplan clears it
# before each AGI() and takes its fallback path unless it is "1"
