"""The composition root: config in, a MultiService of AMI, FastAGI and the status site out."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

from twisted.application import internet, service
from twisted.logger import Logger
from twisted.python.failure import Failure

from acd import site_map
from acd.asterisk.agent_codes import PROMPTS as AGENT_PROMPTS
from acd.asterisk.agent_desk import AgentDesk
from acd.asterisk.agi_routes import Routes
from acd.asterisk.ami import AmiService
from acd.asterisk.announcer import Announcer, callback_offers
from acd.asterisk.callbacks import CALLBACK_EVENTS, Callbacks, spoken_parts
from acd.asterisk.callbacks import PROMPTS as CALLBACK_PROMPTS
from acd.asterisk.escalation import PROMPTS as ESCALATION_PROMPTS
from acd.asterisk.escalation import Escalations
from acd.asterisk.fastagi import FastAgiService, route_table
from acd.asterisk.guess_limits import GuessLimits, Memory
from acd.asterisk.ivr_player import static_parts
from acd.asterisk.queue_log_verbs import QUEUE_LOG_EVENTS, QueueLogVerbs
from acd.asterisk.reconciler import Reconciler
from acd.asterisk.recorder import PROMPTS as RECORDER_PROMPTS
from acd.asterisk.recorder import RECORDER_EVENTS, Recorder
from acd.asterisk.supervisor_desk import PROMPTS as SUPERVISOR_PROMPTS
from acd.asterisk.supervisor_desk import SUPERVISOR_DESK_EVENTS, SupervisorDesk
from acd.asterisk.survey import Survey
from acd.background import background
from acd.cases_desk import CaseDesk, rules
from acd.checkpoints import Checkpointer
from acd.config import Config, pop_seats
from acd.config_journal import Days
from acd.core.agent_book import AGENT_BOOK_EVENTS, AgentBook, seats
from acd.core.agent_day import AGENT_DAY_EVENTS, AgentDay
from acd.core.bus import Bus
from acd.core.cases import CASES_EVENTS, OPENING_EVENTS, Cases
from acd.core.center import CENTER_EVENTS, CallCenter
from acd.core.events import Event
from acd.core.figures import FIGURES_EVENTS, Figures
from acd.core.journal import Entry, Sequencer
from acd.core.journeys import JOURNEY_EVENTS
from acd.core.legs import LEG_EVENTS, AgentLegs
from acd.core.pops import POP_EVENTS, Pops
from acd.core.reconcile import LEDGER_EVENTS, CallLedger
from acd.core.staffing import Skills, enrolments
from acd.core.throttle import Backoff
from acd.core.wallboard import WALLBOARD_EVENTS, Wallboard
from acd.live import LiveState
from acd.pbx.control import state_dir
from acd.restore import Checkpoints, Restored, restore
from acd.speech import SpeechCache, SpeechError
from acd.store.cases import CASE_STEPS
from acd.store.directory import Directory
from acd.store.figures import figures_spec
from acd.store.journal import Journal
from acd.store.journeys import JourneyWriter, e164
from acd.store.roster import Roster
from acd.store.snapshots import Snapshots
from acd.web import follow, push
from acd.web.auth import StaffLogin
from acd.web.kiosk import Kiosks
from acd.web.prometheus import exporter
from acd.web.tls import web_service
from acd.web.wall import WallFeed, WallState
from ivr.menu import Menu

log = Logger()
SWEEP_EVERY = 60.0  # seconds: recordings left open, recorded without the daemon, or expired
ROSTER_EVERY = 5.0  # seconds: staff records changed by `acd staff` reach the daemon within this


class Daemon(service.MultiService):
    """Owns the core; every adapter feeds it through `apply`."""

    def __init__(self, config: Config, menu: Menu) -> None:
        super().__init__()
        self.config = config
        self.days = Days(config.timezone)
        self.center = CallCenter(
            {q.name: float(q.service_level) for q in config.queues},
            lines={q.name: q.line for q in config.queues},
            day_end=self.days.end,
        )
        self.journal = Journal(config.store.url, config.journal.retention_days)
        # what the journal holds per queued call (the fold replays the day into it), so queue_log's
        # facts from while the daemon was away are entered once, at AMI's login
        self.ledger = CallLedger()
        self.reconciler = Reconciler(
            state_dir(config) / "log" / "queue_log", self.ledger, self.apply, since=self.days.start
        )
        self.ami = AmiService(
            config.ami, self.apply, reconciler=self.reconciler, whose_call=self.center.talking
        )
        self.ami.setServiceParent(self)
        self.directory = Directory(config.store.url)
        self.journeys = JourneyWriter(self.directory, self.center, e164(config.numbers))
        # prompts live where the PBX can read them: its state folder, bind-mounted or shared
        self.speech = SpeechCache(state_dir(config) / "sounds")
        self.prompts_ready = False
        self.menu = menu
        self.live = LiveState(config.redis)
        # everyone who signs in (web) or logs in (phones): the staff table, seeded by daemon.run
        self.people = Roster(config.store.url, config.hashing)
        pin = config.features.pin_backoff
        pins = GuessLimits(
            self.live,
            Backoff(pin.free, pin.base, pin.cap, pin.forget),
            kind="Pin",
            service="phone",
            fallback=Memory(),
        )
        self.book = AgentBook(
            seats((a.number, a.phone) for a in config.agents),
            {q.name: float(q.wrapup) for q in config.queues},
        )
        wall = config.wallboard
        self.wall = Wallboard(self.center, self.book, self.days, wall.short_abandon, wall.interval * 60.0)
        self.agent_day = AgentDay(self.book, self.days.end, self.days.start)  # each agent's own figures
        self.figures = Figures(self.book, self.days, figures_spec(config))  # docs/metrics.md's
        self.cases = Cases(rules(config.cases))  # complaint cases, and who is late with one
        self.case_desk = CaseDesk(
            self.cases, self.apply, self.directory, lambda: self.people.people, config.cases.enabled
        )
        self.desk = AgentDesk(
            config, self.ami, self.live, self.speech, pins, self.book, self.apply, self.people
        )
        backoff = menu.identity.backoff
        limits = GuessLimits(self.live, Backoff(backoff.free, backoff.base, backoff.cap, backoff.forget))
        self.survey = Survey(config.survey, self.apply, self.directory, self.speech)
        routes = Routes(
            config,
            self.apply,
            self.directory,
            self.speech,
            menu,
            self.book.ready_at,
            limits=limits,
            survey=self.survey,
        )
        self.queue_log_verbs = QueueLogVerbs(self.ami, self.center)  # our facts in queue_log too
        self.legs = AgentLegs()  # agents' live legs: what in-call codes may act on
        self.escalations = escalations = Escalations(
            config, self.center, self.ami, self.directory, self.speech, self.apply, self.legs
        )
        self.callbacks = (
            Callbacks(config, self.center, self.ami, self.live, self.speech, sink=self.apply)
            if config.callback and config.callback.enabled
            else None
        )
        self.supervisors = SupervisorDesk(
            config, self.ami, self.directory, self.speech, self.book.phone_of, pins, self.people
        )
        self.recorder = Recorder(
            config, self.ami, self.directory, self.speech, self.book.number_at, self.legs
        )
        # what ringing agents' screens show; an agent's own queues are the staff table's
        self.pops = Pops(replace(pop_seats(config), skills=Skills(lambda: self.people.staffing)))
        self.sequence = Sequencer()
        self.feed = push.Feed(config.push, lambda: self.sequence.last, push.OnThread(self.journal))
        self.wall_feed = WallFeed(
            WallState(config, self.wall, staffing=lambda: self.people.staffing),
            lambda: self.sequence.last,
            wall.updates_per_second,
            config.push.client_buffer,
            wall.max_viewers,
            wall.max_per_kiosk,
            wall.max_per_person,
        )
        self.kiosks = Kiosks(config, self.directory, self.wall_feed, self.people)
        self.prometheus = exporter(
            config, self.center, self.book, lambda: self.ami.connected, lambda: self.sequence.last
        )
        self.checkpointer = self._checkpointer()
        self.bus = self._subscribe()
        self.fastagi = FastAgiService(
            config.fastagi,
            route_table(
                routes.table(),
                self.desk.table(),
                escalations.table(),
                self.supervisors.table(),
                self.recorder.table(),
                self.callbacks.table() if self.callbacks else {},
                self.survey.table(),
            ),
        )
        announcer = Announcer(
            config,
            menu,
            self.center,
            lambda: self.book.agents,
            self.ami,
            self.speech,
            self.apply,
            staffing=lambda: self.people.staffing,
        )
        internet.TimerService(1.0, announcer.tick).setServiceParent(self)
        internet.TimerService(config.cases.check_seconds, self.case_desk.tick).setServiceParent(self)
        internet.TimerService(
            SWEEP_EVERY, lambda: background(self.recorder.sweep(), "the recordings sweep")
        ).setServiceParent(self)
        self.fastagi.setServiceParent(self)
        login = StaffLogin(config, self.people, keeper=self.live)
        self.login = login
        self.follower = follow.Follower(self.people, self.feed, self.wall_feed, self.kiosks)
        login.sessions.watchers.append(self.follower)  # an admin's change ends streams at once
        site = site_map.site(self, login, escalations)
        self.site = site
        self.heartbeat = internet.TimerService(config.push.heartbeat, self.feed.beat)
        self.heartbeat.setServiceParent(self)
        internet.TimerService(config.push.heartbeat, self.wall_feed.refresh).setServiceParent(self)
        web_service(config, site).setServiceParent(self)
        internet.TimerService(ROSTER_EVERY, self._roster_tick).setServiceParent(self)

    def _checkpointer(self) -> Checkpointer:
        """The folded models by name (every model=True subscriber: tests/test_restart.py checks)
        and the checkpoints of them, every N entries (the bus) and M minutes (a timer)."""
        self.folded = {
            "legs": self.legs,
            "center": self.center,
            "book": self.book,
            "wallboard": self.wall,
            "agent_day": self.agent_day,
            "figures": self.figures,
            "ledger": self.ledger,
            "pops": self.pops,
            "cases": self.cases,
        }
        settings = self.config.journal
        self.snapshots = Snapshots(self.journal.engine, settings.checkpoints_kept, settings.retention_days)
        made = Checkpointer(self.folded, self.snapshots, self.sequence, settings.checkpoint_every)
        internet.TimerService(settings.checkpoint_minutes * 60.0, made.tick).setServiceParent(self)
        return made

    def startService(self) -> None:
        self.people.load()  # seeded already (daemon.run); the web answers from this snapshot
        self.login.sessions.restoring()  # until redis's records are in, requests wait for them
        background(self._restore_sessions(), "restoring web sessions")
        self.remember(time.time())
        super().startService()  # AMI connects now: its resync reconciles the folded model
        self._enrol()  # who `acd staff` added or disabled while the daemon was away
        self._prompts = asyncio.ensure_future(self._render_prompts())

    async def _restore_sessions(self) -> None:
        try:
            self.login.sessions.restore(await self.live.load_sessions())
        finally:
            self.login.sessions.restored()  # redis down: nobody waits longer

    def _roster_tick(self) -> None:
        """Changes made by `acd staff` elsewhere arrive; sessions they ended end."""

        async def tick() -> None:
            await self.people.refresh()
            self.login.sessions.sweep()
            self.follower.follow()  # a disabled person's open streams end with their sessions
            self._enrol()

        background(tick(), "refreshing the staff records")

    def _enrol(self) -> None:
        """The book's agents follow the staff table's: a new agent is enrolled, a disabled one
        logged out (off the PBX's queues) and then withdrawn; journaled, so a replay has them."""
        events, logged_in = enrolments(self.people.staffing, self.book.agents, time.time())
        for event in events:
            self.apply(event)
        for number in logged_in:
            log.info("agent {agent} is disabled: logging them out", agent=number)
            background(self.desk.logout(number), "logging out a disabled agent")

    def remember(self, now: float) -> Restored:
        """Fold the day's journal (since local midnight) back into the model; number after it."""
        checkpoints = Checkpoints(self.snapshots, self.folded)
        self.case_desk.load()  # open cases outlive the day the fold covers
        self.restored = restore(self.journal, self.bus, self.sequence, self.days.start(now), checkpoints)
        self.checkpointer.taken_seq = self.sequence.last  # the next is due `every` entries on
        self.checkpointer.saved_seq = self.restored.checkpoint if self.restored.entries == 0 else -1
        self.journal.start()  # the retention runs now, then daily
        return self.restored

    async def _render_prompts(self) -> None:
        """Render the fixed prompts now, so no caller or agent waits on espeak-ng for them."""
        fixed = [
            *AGENT_PROMPTS.values(),
            *ESCALATION_PROMPTS.values(),
            *CALLBACK_PROMPTS.values(),
            *SUPERVISOR_PROMPTS.values(),
            *RECORDER_PROMPTS.values(),
        ]
        parts = static_parts(self.menu) | {("en", text) for text in fixed}
        parts |= self.survey.static_parts() | callback_offers(self.config) | spoken_parts()
        for language, text in sorted(parts):
            try:
                await self.speech.render(text, language)
            except SpeechError as exc:
                log.error("IVR prompt not rendered: {why}", why=exc)
                return
        self.prompts_ready = True
        log.info("IVR prompts ready")

    def stopService(self):
        self.feed.stop()
        self.wall_feed.stop()
        result = super().stopService()
        self.close_stores()
        return result

    def close_stores(self) -> None:
        """At stop: the last checkpoint (the models as they stop: the next start folds no
        tail), then what is still waiting written and the stores closed."""
        self.checkpointer.take_now()
        self.directory.close()
        self.journal.close()
        self.people.close()

    def _subscribe(self) -> Bus:
        """Who takes which events, in this order: the legs and the core first, so the adapters
        that act on an event read a model that already holds it."""
        bus = Bus(self._subscriber_failed)
        bus.subscribe_entries("journal", self.journal.append)  # first: nothing applied unjournaled
        bus.subscribe("agent legs", self.legs.apply, LEG_EVENTS, model=True)
        bus.subscribe("core", self.center.apply, CENTER_EVENTS, model=True)
        bus.subscribe("agents", self.book.apply, AGENT_BOOK_EVENTS, model=True)
        bus.subscribe("wallboard", self.wall.apply, WALLBOARD_EVENTS, model=True)  # reads core, agents
        bus.subscribe("agent day", self.agent_day.apply, AGENT_DAY_EVENTS, model=True)  # reads the book
        bus.subscribe("figures", self.figures.apply, FIGURES_EVENTS, model=True)  # reads the book
        bus.subscribe("call ledger", self.ledger.apply, LEDGER_EVENTS, model=True)
        bus.subscribe("pops", self.pops.apply, POP_EVENTS, model=True)
        bus.subscribe("cases", self.cases.apply, CASES_EVENTS, model=True)
        # the adapters that act on calls take live events only: reconstructed ones are history
        bus.subscribe("agent desk", self.desk.on_event, AGENT_BOOK_EVENTS, live=True)
        bus.subscribe("supervisor desk", self.supervisors.on_event, SUPERVISOR_DESK_EVENTS, live=True)
        bus.subscribe("recorder", self.recorder.on_event, RECORDER_EVENTS, live=True)
        if self.callbacks is not None:
            bus.subscribe("callbacks", self.callbacks.on_event, CALLBACK_EVENTS, live=True)
        bus.subscribe("queue_log", self.queue_log_verbs.on_event, QUEUE_LOG_EVENTS, live=True)
        bus.subscribe("call stories", self.journeys.on_event, JOURNEY_EVENTS)  # reconstructed too
        bus.subscribe("case desk", self.case_desk.on_event, OPENING_EVENTS, live=True)
        bus.subscribe("case store", self.case_desk.store, CASE_STEPS)
        bus.subscribe_entries("live push", self.feed.publish)
        bus.subscribe_entries("prometheus", self.prometheus.on_entry)
        bus.subscribe_entries("wallboard push", self.wall_feed.changed, WALLBOARD_EVENTS)
        bus.subscribe_entries("checkpoints", self.checkpointer.count)  # last: after every model
        return bus

    def apply(self, event: Event, reconstructed: bool = False) -> Entry:
        """Number one event and hand it to every subscriber that takes it."""
        entry = self.sequence.next(event, reconstructed)
        self.bus.publish(entry)
        return entry

    def _subscriber_failed(self, name: str, entry: Entry, exc: Exception) -> None:
        log.failure(
            "subscriber {subscriber} failed on {event!r}",
            Failure(exc),
            subscriber=name,
            event=entry.event,
        )

    def links(self) -> dict:
        return {
            "ami_connected": self.ami.connected,
            "ami_logins": self.ami.logins,
            "fastagi_served": self.fastagi.served,
            "prompts_ready": self.prompts_ready,
            "agent_states": self.book.snapshot(time.time()),
            "supervision": self.supervisors.snapshot(),
            "recording": [t.id for t in self.recorder.takes.values()],
            "push": self.feed.snapshot(),
            "wallboard": self.wall_feed.snapshot(),
        }
