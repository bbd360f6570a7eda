"""FastAGI route names in one table: each service offers its routes, the daemon joins them
once at start, and a name offered twice stops the start (a merge of dicts let the later
route win in silence). The dialplan's AGI() calls and the table name the same routes."""

from __future__ import annotations

import re

import pytest

from acd import config as config_module
from acd.asterisk.fastagi import DuplicateRoute, route_table
from acd.asterisk.recorder import Recorder
from acd.pbx import render
from acd.service import Daemon
from ivr import menu


async def enter(channel) -> None:
    """A route that does nothing."""


async def other(channel) -> None:
    """Another route that does nothing."""


def config(tmp_path) -> config_module.Config:
    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    raw["store"] = {"url": f"sqlite:///{tmp_path / 'store.sqlite3'}"}
    raw["pbx"] = {**raw["pbx"], "state_dir": str(tmp_path / "state")}
    return config_module.parse(raw)


def test_tables_are_joined_in_order():
    assert route_table({"acd/enter": enter}, {"acd/other": other}) == {
        "acd/enter": enter,
        "acd/other": other,
    }


def test_a_name_offered_twice_is_refused_with_its_name():
    with pytest.raises(DuplicateRoute, match="acd/enter"):
        route_table({"acd/enter": enter}, {"acd/other": other}, {"acd/enter": other})


def test_the_daemon_does_not_start_with_a_route_offered_twice(tmp_path, monkeypatch):
    monkeypatch.setattr(Recorder, "table", lambda self: {"acd/record": enter, "acd/enter": enter})
    with pytest.raises(DuplicateRoute, match="acd/enter"):
        Daemon(config(tmp_path), menu.load())


def test_the_dialplan_calls_exactly_the_routes_the_daemon_serves(tmp_path):
    loaded = config(tmp_path)
    served = set(Daemon(loaded, menu.load()).fastagi.routes)
    files = render.render(loaded, tmp_path / "state")
    url = re.escape(render.agi_url(loaded))
    called = {name for text in files.values() for name in re.findall(url + r"/([a-z_/]+)", text)}
    assert called == served
