"""What the core is told: call-center facts, already translated from Asterisk's wire forms.

Each event carries `at`, the PBX's own clock (epoch seconds), so replaying a trace gives the
same state as living through it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Event:
    at: float


@dataclass(frozen=True, slots=True)
class CallRouted(Event):
    """The daemon chose a queue for a new inbound call (FastAGI)."""

    call_id: str
    caller_id: str
    dialled: str
    queue: str
    customer_id: int | None = None  # the caller, when their number names exactly one customer
    candidates: int = 0  # customers sharing the caller's number
    greeted: bool = False  # the caller heard their name
    language: str = ""  # what the IVR learned (empty on lines without an IVR)
    category: str = ""
    account: str = ""
    verification: str = ""  # verified | not_verified | locked
    priority: int = 0
    ivr_steps: tuple[str, ...] = ()  # what the IVR did, in order ("date_of_birth:right", ...)


@dataclass(frozen=True, slots=True)
class CallerJoined(Event):
    call_id: str
    queue: str
    caller_id: str
    position: int
    channel: str = ""


@dataclass(frozen=True, slots=True)
class CallbackDialled(Event):
    """The dialplan dialled a customer back; `status` is Dial()'s DIALSTATUS."""

    callback_id: str
    status: str


@dataclass(frozen=True, slots=True)
class CallEscalated(Event):
    """An agent sent the call to the next line; the call is not closed at this one."""

    call_id: str
    from_queue: str
    to_queue: str
    agent: str
    reason: str
    note: str = ""  # the agent's own words for the next line (from their desk; "" from `*5`)


@dataclass(frozen=True, slots=True)
class CustomerPicked(Event):
    """On a shared number, the agent said which of its customers is calling (their desk)."""

    call_id: str
    agent: str
    customer_id: int


@dataclass(frozen=True, slots=True)
class CallerAnnounced(Event):
    """The caller was told their position and expected wait (None: no agent can take them)."""

    call_id: str
    position: int
    expected_wait: float | None


@dataclass(frozen=True, slots=True)
class CallerWaiting(Event):
    """A caller found in a queue by a resync; `wait` is how long they have waited so far."""

    call_id: str
    queue: str
    caller_id: str
    position: int
    wait: float
    channel: str = ""


@dataclass(frozen=True, slots=True)
class AgentRung(Event):
    call_id: str
    queue: str
    agent: str
    agent_channel: str = ""  # the agent leg's name and uniqueid (AMI's Dest* headers)
    agent_channel_id: str = ""


@dataclass(frozen=True, slots=True)
class AgentMissed(Event):
    """The agent's phone rang out without an answer."""

    call_id: str
    queue: str
    agent: str
    ring_time: float


@dataclass(frozen=True, slots=True)
class CallAnswered(Event):
    call_id: str
    queue: str
    agent: str
    hold_time: float
    ring_time: float
    agent_channel: str = ""
    agent_channel_id: str = ""


@dataclass(frozen=True, slots=True)
class CallCompleted(Event):
    call_id: str
    queue: str
    agent: str
    hold_time: float
    talk_time: float
    hung_up_by: str  # "caller" | "agent" | "transfer"


@dataclass(frozen=True, slots=True)
class CallerAbandoned(Event):
    call_id: str
    queue: str
    hold_time: float


@dataclass(frozen=True, slots=True)
class CallerLeft(Event):
    """The caller left the queue: answered, abandoned, or timed out (queue_log tells which)."""

    call_id: str
    queue: str


@dataclass(frozen=True, slots=True)
class MemberChanged(Event):
    """A queue member's full state, from QueueMember*, QueueMemberStatus and resyncs."""

    queue: str
    agent: str
    interface: str
    device: str  # "not_in_use" | "in_use" | "busy" | "unavailable" | "ringing" | ...
    paused: bool
    in_call: bool
    calls_taken: int
    reason: str = ""  # why paused, as the PBX has it (the wrap-up hold's is "wrapup")


@dataclass(frozen=True, slots=True)
class MemberRemoved(Event):
    queue: str
    agent: str


@dataclass(frozen=True, slots=True)
class ResyncStarted(Event):
    """The PBX is about to describe every queue again (after a (re)connect)."""


@dataclass(frozen=True, slots=True)
class ResyncFinished(Event):
    queues: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QueueExited(Event):
    """The dialplan's report of why Queue() returned (QUEUESTATUS): TIMEOUT, FULL, ..."""

    call_id: str
    queue: str
    status: str


@dataclass(frozen=True, slots=True)
class SpyStarted(Event):
    """ChanSpy found the agent's call: the supervisor now listens to it."""

    spyer: str  # the supervisor channel's uniqueid
    call_id: str  # the spied call's linkedid
    spyee_channel: str


@dataclass(frozen=True, slots=True)
class SpyEnded(Event):
    """The supervisor's channel left ChanSpy (the dialplan's report)."""

    spyer: str


@dataclass(frozen=True, slots=True)
class DigitPressed(Event):
    """A DTMF digit a channel received from its phone (a supervisor's mode switch, say)."""

    channel_id: str  # the channel's uniqueid
    digit: str


@dataclass(frozen=True, slots=True)
class ChannelHungUp(Event):
    channel_id: str  # uniqueid
    channel: str
    call_id: str  # linkedid


@dataclass(frozen=True, slots=True)
class OriginateFailed(Event):
    """A call the daemon originated never connected (not answered, or no phone to ring)."""

    channel_id: str  # the ChannelId the daemon gave it


# -- agents: what an agent asked for (feature code, web) or what their wrap-up timer ended ------


@dataclass(frozen=True, slots=True)
class AgentLoggedIn(Event):
    agent: str
    interface: str  # the phone they logged in at, e.g. PJSIP/1005


@dataclass(frozen=True, slots=True)
class AgentLoggedOut(Event):
    agent: str


@dataclass(frozen=True, slots=True)
class AgentEnrolled(Event):
    """The staff table has an agent the book did not know (added by `acd staff` or the admin
    page while the daemon ran): the book knows them now, logged out, so *70 may log them in."""

    agent: str


@dataclass(frozen=True, slots=True)
class AgentWithdrawn(Event):
    """The agent was disabled (or is no longer an agent) in the staff table, and is logged
    out: the book forgets them, so no login is taken for them."""

    agent: str


@dataclass(frozen=True, slots=True)
class AgentPaused(Event):
    """The agent asked for a pause; during a call it takes effect as the call ends."""

    agent: str
    reason: str


@dataclass(frozen=True, slots=True)
class AgentResumed(Event):
    agent: str


@dataclass(frozen=True, slots=True)
class AgentWrappedUp(Event):
    """The queue's wrap-up time after the agent's call is over."""

    agent: str


@dataclass(frozen=True, slots=True)
class CallWrappedUp(Event):
    """The agent coded their call (the page's wrap-up form): it ends their wrap-up hold when
    it is this call's. The notes go to the store, not the stream."""

    call_id: str
    agent: str
    disposition: str
    resolved: bool
    follow_up: bool


# -- after the call and instead of waiting: what the numbers issue counts -----------------------


@dataclass(frozen=True, slots=True)
class CallbackBooked(Event):
    """A waiting caller pressed the callback key and was booked: they left the queue, keeping
    their place (callback rate; queue_log's story of the call goes on with the dial-back)."""

    call_id: str
    queue: str
    callback_id: str


@dataclass(frozen=True, slots=True)
class SurveyAnswered(Event):
    """The caller rated the call after the agent hung up (DTMF 1-5). A caller who hangs up or
    presses nothing leaves no event: no score, not a zero."""

    call_id: str
    queue: str
    agent: str
    question: int  # 1 or 2: the survey's questions in order
    score: int  # 1..5


# -- complaint cases: each step journaled (acd/core/cases.py) -------------------------------------


@dataclass(frozen=True, slots=True)
class CaseOpened(Event):
    """A complaint (the IVR's category, an escalation's reason or a disposition) became a case
    with an owner who must resolve it by `deadline` (epoch seconds)."""

    case_id: str
    call_id: str
    customer_id: int | None
    caller_id: str
    source: str  # "ivr" | "escalation" | "disposition"
    owner: str  # a staff number; "" while nobody owns it
    deadline: float


@dataclass(frozen=True, slots=True)
class CaseEscalated(Event):
    """The case passed its deadline unresolved: it goes to the owner's manager (level 1), then
    one level higher (2), each with a new deadline."""

    case_id: str
    level: int
    owner: str
    deadline: float


@dataclass(frozen=True, slots=True)
class CaseResolved(Event):
    """Someone allowed to (its owner, a supervisor, an admin) closed the case."""

    case_id: str
    by: str
    note: str = ""
