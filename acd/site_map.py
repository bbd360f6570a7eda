"""The web site's map: which page and which API answers at each path, built from the daemon's
parts (acd/service.py owns them; this only mounts them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from acd.asterisk.escalation import Escalations
from acd.store import knowledge
from acd.store.pops import PopDetails
from acd.web import cases as cases_web
from acd.web import desk as desk_api
from acd.web import knowledge as knowledge_api
from acd.web import pops as pops_api
from acd.web import push
from acd.web import quality as quality_api
from acd.web.auth import StaffLogin
from acd.web.desk_page import DeskPage
from acd.web.knowledge_page import KnowledgePage
from acd.web.pages import Pages
from acd.web.plan import PlanApi, ReportsBranch
from acd.web.prometheus import MetricsPage
from acd.web.reports import ReportsApi, ReportsPage
from acd.web.status import GuardedSite, make_site
from acd.web.wall_api import WallApi
from acd.web.wall_page import KioskPage, WallPage

if TYPE_CHECKING:
    from acd.service import Daemon


def site(daemon: Daemon, login: StaffLogin, escalations: Escalations) -> GuardedSite:
    config, directory = daemon.config, daemon.directory
    kiosks = daemon.kiosks
    details = PopDetails(
        directory,
        config.pop.rules(),
        config.pop.last_contacts,
        hints=lambda category: directory.read(knowledge.hints_for_category, category),
        cases=daemon.case_desk.of_customer,
    )
    api = {
        b"recordings": quality_api.Recordings(login, directory, config.recordings_path()),
        b"supervision": quality_api.Supervision(login, directory),
        b"supervise": quality_api.Supervise(login, daemon.supervisors),
        b"events": push.Events(login, daemon.feed),
        b"pops": pops_api.PopsApi(login, daemon.pops, details, daemon.apply),
        b"wall": WallApi(login, daemon.wall_feed, kiosks),
        b"desk": desk_api.DeskApi(login, daemon.book, daemon.agent_day, daemon.desk, escalations),
        b"wrapup": desk_api.WrapUpApi(login, daemon.book, directory, daemon.apply),
        b"kb": knowledge_api.KnowledgeApi(login, directory),
        b"reports": ReportsBranch(
            ReportsApi(login, config, daemon.figures), PlanApi(login, config, daemon.figures)
        ),
        b"cases": cases_web.CasesApi(login, daemon.case_desk),
    }
    pages = {
        b"desk": DeskPage(login, Pages(login)),
        b"wall": WallPage(login, Pages(login)),
        b"knowledge": KnowledgePage(login, Pages(login)),
        b"metrics": MetricsPage(login, daemon.prometheus.registry),
        b"reports": ReportsPage(login, Pages(login)),
        b"cases": cases_web.CasesPage(login, Pages(login)),
        b"kiosk": KioskPage(login, Pages(login), kiosks),
    }
    return make_site(daemon.center, daemon.links, login, config.http, api, book=daemon.book, top=pages)
