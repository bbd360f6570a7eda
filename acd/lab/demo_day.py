"""The simulated day: agents on their phones all day, a stream of everyday callers, and a
round of scripted moments every ROUND_S seconds (IVR callers, a VIP, an escalation, a
callback, a supervisor listening in; dispositions after calls: demo_wrapup.py).

Every caller is a sipp process on loopback with a bounded number of calls; a moment whose
phone is still busy from the last round waits for the next one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

from acd.config import Config
from acd.lab import demo_config, demo_people, sipp
from acd.lab.daemon_proc import DaemonProcess
from acd.lab.phones import CustomerPhone, EscalatingAgent

AGENT_TALK_MS = {"1001": 7000, "1002": 8000, "1003": 9000, "1004": 6000, "2001": 8000}
CALL_RATE = 0.4  # everyday calls/s offered, about 70 % support and 30 % sales
PATIENCE_MS = 20000  # everyday callers hang up after waiting this long
SCRIPTED_PATIENCE_MS = 45000  # the scripted callers wait longer (IVR, queue and talk)
ROUND_S = 50.0
ENDLESS_CALLS = 20000  # a day's worth: the stream's bound when the day runs until Ctrl-C
AT = {"ivr: order": 2.0, "ivr: technical": 4.0, "ivr: new": 6.0, "vip": 8.0}
RUSH_AT, RUSH_CALLS = 5.0, 6  # a burst of support callers: some wait, one asks for a callback
CALLBACK_FROM, CALLBACK_BY = 6.0, 30.0  # once callers wait (else this round has none)
CALLBACK_BEHIND = 3  # callers ahead: the callback caller waits long enough to press the key
SUPERVISE_FROM, SUPERVISE_BY = 10.0, 35.0
SUPERVISOR_TALK_MS = 6000  # the supervisor listens this long, then hangs up


class Day:
    def __init__(
        self,
        config: Config,
        work: Path,
        daemon: DaemonProcess,
        seconds: float | None,
        cli: Callable[[str], object],
    ) -> None:
        self.config, self.work, self.daemon, self.seconds, self.cli = config, work, daemon, seconds, cli
        self.target = sipp.Pbx(config.pbx.sip.host, config.pbx.sip.port)
        self.passwords = {p.name: p.password for p in config.phones}
        ivr = config.routing.ivr[0] if config.routing.ivr else "800"
        self.callers = demo_people.scripted(ivr, self._number_of(config.routing.default_queue))
        self.phones: list[sipp.Process] = []  # all day: agents and the supervisor
        self.scripted: dict[str, sipp.Process] = {}  # the current round's, by moment
        self.stream: sipp.Process | None = None
        self.started = time.monotonic()
        self.round = -1
        self.done: set[str] = set()  # this round's moments started
        self.notes: list[str] = []  # what a moment could not do, for the terminal
        self.retired: set[int] = set()  # escalating phones done with their call, unregistered

    def start(self) -> None:
        """Agents and the supervisor register; the everyday callers start arriving."""
        demo_people.seed(self.config.store.url, self.callers)
        seats = [(a.number, a.phone) for a in self.config.agents if a.phone]
        for i, (number, phone) in enumerate(seats):
            if phone == demo_config.ESCALATING_SEAT[1]:
                continue  # this seat's phone comes and goes with the round
            self.phones.append(
                sipp.AgentPhone(
                    self.target,
                    self.work,
                    phone,
                    self.passwords[phone],
                    6001 + i,
                    AGENT_TALK_MS.get(number, 7000),
                    media_port=41000 + 20 * i,
                )
            )
        supervisor = self.supervisor()
        if supervisor is not None and supervisor.phone:
            self.phones.append(
                sipp.AgentPhone(
                    self.target,
                    self.work,
                    supervisor.phone,
                    self.passwords[supervisor.phone],
                    6019,
                    SUPERVISOR_TALK_MS,
                    media_port=41400,
                )
            )
        calls = self._stream_plan()
        self.stream = sipp.callers(
            self.target,
            self.work,
            calls,
            trunk_port=demo_config.trunk_port(self.config),
            media_port=40000,
            rate=CALL_RATE,
            patience_ms=PATIENCE_MS,
            limit=40,
        )

    def tick(self, state: dict) -> None:
        """Start what is due in this round (called with each fresh state)."""
        elapsed = time.monotonic() - self.started
        if self.seconds is not None and elapsed >= self.seconds:
            return  # callers stop arriving; the last calls end
        if int(elapsed // ROUND_S) != self.round:
            self.round, self.done = int(elapsed // ROUND_S), set()
        at = elapsed - self.round * ROUND_S
        for caller in self.callers:
            due = next(t for key, t in AT.items() if caller.moment.startswith(key))
            if at >= due:
                self._once(caller.moment, lambda c=caller: self._call(c))
        if at >= 3.0:
            self._once("escalation", self._escalating_agent)
        self._retire_escalating()
        if at >= RUSH_AT:
            self._once("rush", self._rush)
        support = state["queues"].get(self.config.routing.default_queue, {})
        if CALLBACK_FROM <= at <= CALLBACK_BY and support.get("waiting", 0) >= CALLBACK_BEHIND:
            self._once("callback", self._callback_caller)
        booked = self.scripted.get("callback")
        if booked is not None and not booked.running() and "callback" in self.done:
            self._once("callback answers", self._callback_customer)
        if SUPERVISE_FROM <= at <= SUPERVISE_BY and "supervision" not in self.done:
            self._supervise(state)

    def busy(self) -> bool:
        """Callers still calling (phones waiting to be called do not count: a callback not yet
        dialled is a call in the daemon's state, which the live view waits for)."""
        idle = ("escalation", "callback answers")  # waiting for a call the queues may never send
        running = [p for name, p in self.scripted.items() if name not in idle and p.running()]
        return bool(running) or (self.stream is not None and self.stream.running())

    def stop(self) -> None:
        for process in [*self.scripted.values(), *self.phones, *([self.stream] if self.stream else [])]:
            process.stop()

    def supervisor(self):
        return next((s for s in self.config.staff if s.role == "supervisor" and s.phone and s.password), None)

    def _once(self, moment: str, start) -> None:
        if moment in self.done:
            return
        self.done.add(moment)
        running = self.scripted.get(moment)
        if running is not None and running.running():
            return  # still busy from the last round
        try:
            self.scripted[moment] = start()
        except (RuntimeError, OSError) as exc:
            self.notes.append(f"{moment}: {exc}")

    def _call(self, caller: demo_people.Caller) -> sipp.Process:
        index = self.callers.index(caller)
        return sipp.callers(
            self.target,
            self.work,
            [(caller.national, caller.dialled)],
            trunk_port=demo_config.trunk_port(self.config, caller.trunk),
            media_port=40100 + 100 * index,
            patience_ms=SCRIPTED_PATIENCE_MS,
            name=f"caller-{index}",
            keys=caller.keys,
        )

    def _rush(self) -> sipp.Process:
        base = 1172000 + 10 * (self.round % 100)
        calls = [
            (f"030{base + i}", self._number_of(self.config.routing.default_queue)) for i in range(RUSH_CALLS)
        ]
        return sipp.callers(
            self.target,
            self.work,
            calls,
            trunk_port=demo_config.trunk_port(self.config, "demo-rush"),
            media_port=40800,
            rate=3.0,
            patience_ms=PATIENCE_MS,
            name="rush",
        )

    def _escalating_agent(self) -> sipp.Process:
        _, phone = demo_config.ESCALATING_SEAT
        # a phone that went away mid-ring last round had the queue pause the seat (autopause)
        self.cli(f"queue unpause member PJSIP/{phone}")
        reason = next(iter(self.config.features.escalation_reasons), "1")
        return EscalatingAgent(
            self.target,
            self.work,
            phone,
            self.passwords[phone],
            6021,
            self.config.features.escalate,
            reason,
            41300,
        )

    def _retire_escalating(self) -> None:
        """Its one call escalated, the phone unregisters at once: rung while gone, the seat
        would ring out and be paused."""
        phone = self.scripted.get("escalation")
        if phone is not None and not phone.running() and id(phone) not in self.retired:
            self.retired.add(id(phone))
            phone.stop()

    def _callback_caller(self) -> sipp.Process:
        waiting = self.scripted.get("callback answers")
        if waiting is not None and waiting.running():
            raise RuntimeError("the last round's customer still waits for their callback")
        number = f"0301171{self.round % 1000:03d}"  # a new number each round (bookings per day)
        key = self.config.callback.key if self.config.callback else "1"
        return sipp.callers(
            self.target,
            self.work,
            [(number, self._number_of(self.config.routing.default_queue))],
            trunk_port=demo_config.CALLBACK_PORT,
            media_port=40600,
            patience_ms=PATIENCE_MS,
            name="callback-caller",
            keys=[(3000, key)],
        )

    def _callback_customer(self) -> sipp.Process:
        return CustomerPhone(self.work, demo_config.CALLBACK_PORT, 4000, 40700, "callback-customer")

    def _supervise(self, state: dict) -> None:
        """The supervisor's "listen" on an agent of their teams who is on a call now."""
        supervisor = self.supervisor()
        if supervisor is None:
            self.done.add("supervision")
            self.notes.append("supervision: no supervisor with a phone and a password")
            return
        teams = set(supervisor.teams)
        mine = {a.number for a in self.config.agents if a.team in teams}
        talking = sorted({c["agent"] for c in state["calls"] if c.get("agent") in mine})
        if not talking:
            return
        status, body = self.daemon.call(
            "POST",
            "/api/supervise",
            (supervisor.number, supervisor.password or ""),
            {"agent": random.choice(talking), "mode": "monitor"},
        )
        if status == 202:
            self.done.add("supervision")
        elif status not in (409,):  # 409: the call ended meanwhile; try the next agent
            self.done.add("supervision")
            self.notes.append(f"supervision: the API answered {status} {body}")

    def _number_of(self, queue: str) -> str:
        return next((n for n, q in self.config.routing.numbers.items() if q == queue), "100")

    def _stream_plan(self) -> list[tuple[str, str]]:
        """Caller and dialled number for each everyday call; seeded: every demo plays the same day."""
        rng = random.Random(7)
        count = ENDLESS_CALLS if self.seconds is None else max(1, round(self.seconds * CALL_RATE))
        plan = []
        for _ in range(count):
            queue = "sales" if rng.random() < 0.3 else self.config.routing.default_queue
            plan.append((f"+4930{rng.randrange(1000000, 9999999)}", self._number_of(queue)))
        return plan
