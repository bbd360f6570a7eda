"""Every channel variable the engine shares with the PBX: named here, once.

The daemon's routes and AMI actions use these constants; the dialplan templates name them as
@VAR_<CONSTANT>@ (acd/pbx/render.py fills them from NAMES), and the fallback AGI script
imports a copy of this file (standard library only: it runs on the PBX's own python3).
A variable set with a leading "__" is inherited by the channels the call creates.
"""

# -- routing: what the daemon (or the fallback script) decided, read by the dialplan --------
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
IVR_DIGITS = "ACD_IVR_DIGITS"  # what Read() collected for the IVR's question
PREFERRED_QUEUE = "ACD_PREFERRED_QUEUE"  # a repeat caller's last agent's own queue, tried first
LINE = "ACD_LINE"  # the line the call entered (inherited: the recording policy reads it)
AGI_OK = "ACD_AGI_OK"  # "1": the daemon's route ran to its end; the dialplan clears it
# before each AGI() and takes its fallback path unless it is "1"

# -- escalation: the daemon redirects the call to acd-escalated with these --------------------
ESCALATED_FROM = "ACD_ESCALATED_FROM"  # the agent who escalated
ESCALATION_REASON = "ACD_ESCALATION_REASON"

# -- agents' feature codes ------------------------------------------------------------------
FEATURE = "ACD_FEATURE"  # login | pause | resume | logout: which code the agent dialled
AGENT = "ACD_AGENT"  # the agent the route acted for
AGENT_RESULT = "ACD_AGENT_RESULT"  # what the route did, for the AcdAgentFeature event

# -- supervision ------------------------------------------------------------------------------
SPY_MODE = "ACD_SPY_MODE"  # monitor | whisper | barge, from the code dialled
SPY_AGENT = "ACD_SPY_AGENT"  # the agent number dialled after the code
SPY_TARGET = "ACD_SPY_TARGET"  # ChanSpy's target (the agent's phone), set by the daemon
SPY_OPTIONS = "ACD_SPY_OPTIONS"  # ChanSpy's options for the mode
SPY_SESSION = "ACD_SPY_SESSION"  # the supervision session, for AcdSpyEnded

# -- recording ----------------------------------------------------------------------------
RECORD_FILE = "ACD_RECORD_FILE"  # MixMonitor's file, relative to the recordings folder

# -- announcements: a Local channel whispers position and wait into the caller's channel ----
ANNOUNCE = "ACD_ANNOUNCE"  # the files to play, joined with &
ANNOUNCE_TO = "ACD_ANNOUNCE_TO"  # the queued caller's channel

# -- callbacks --------------------------------------------------------------------------------
CALLBACK = "ACD_CALLBACK"  # "1": the callback route took the caller's place (its own proof)
CALLBACK_ID = "ACD_CALLBACK_ID"
CALLBACK_NUMBER = "ACD_CALLBACK_NUMBER"  # the dial string of the number to call back
POSITION = "ACD_POSITION"  # the placeholder's place in the queue

# -- the post-call survey: set as the call is routed, read once the agent hangs up ----------
SURVEY = "ACD_SURVEY"  # "1": the daemon chose this caller; Queue() then continues after the agent
SURVEY_QUESTIONS = "ACD_SURVEY_QUESTIONS"  # how many questions: 1 or 2
SURVEY_FIRST = "ACD_SURVEY_FIRST"  # the files of the first question (the intro with it), &-joined
SURVEY_SECOND = "ACD_SURVEY_SECOND"  # ...of the second (none when the survey asks one)
SURVEY_THANKS = "ACD_SURVEY_THANKS"
SURVEY_DIGIT = "ACD_SURVEY_DIGIT"  # what Read() collected for a question

NAMES: dict[str, str] = {
    constant: value
    for constant, value in dict(globals()).items()
    if constant.isupper() and isinstance(value, str) and value.startswith("ACD_")
}


def inherited(name: str) -> str:
    """The name with Asterisk's prefix for a variable every channel the call creates keeps."""
    return f"__{name}"
