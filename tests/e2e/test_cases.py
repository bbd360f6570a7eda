"""Complaint cases on the real PBX. An agent codes a sales call "complaint_logged" from the
desk's API: the case is theirs, in the journal and on /api/cases. Its deadline (shortened to a
few seconds: the injected clock of a live daemon is the config) passes unresolved: it goes to
the agent's team supervisor, then to the supervisor's manager, each step journaled; and the same
customer's next call pops on the agent's screen with the case open at level 2, the manager's."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from acd import config as config_module
from acd.lab.daemon_proc import DaemonProcess
from tests.e2e.conftest import SECRETS, wait_until
from tests.e2e.test_survey import journal
from tests.e2e.test_wrapup import agent_login
from tests.e2e.web import call_api

pytestmark = pytest.mark.e2e
AGENT = "1003"  # Chiara Rossi: team front (supervisor 9001, whose manager is 9901)
DEADLINE_HOURS = 0.003  # 10.8 s at each level


@pytest.fixture
def quick_cases(pbx, lab_config, tmp_path: Path):
    _, path = lab_config
    raw = yaml.safe_load(path.read_text())
    raw["cases"].update(deadline_hours=DEADLINE_HOURS, check_seconds=0.5)
    changed = tmp_path / "acd-cases.yaml"
    changed.write_text(yaml.safe_dump(raw))
    process = DaemonProcess(config_module.load(changed), changed, tmp_path / "daemon.log")
    process.start()
    yield process
    process.stop()


def staff_login(number: str) -> tuple[str, str]:
    person = SECRETS.config.person(number)  # type: ignore[union-attr]
    assert person is not None and person.password
    return number, person.password


def test_a_coded_complaint_goes_up_two_levels_and_pops_with_the_customers_next_call(
    quick_cases, phones, call, customers, ami, lab_config
):
    config, _ = lab_config
    url = config.store.url
    customers("Wanda Wrath", ["+49301190001"])
    phones(talk_ms=2000, names=(AGENT,))
    call(["+49301190001"], dialled="200", patience_ms=40000)
    done = ami.call_ended(lambda number: number.endswith("301190001"), "sales", 40, "the sales call to end")
    first = done["Uniqueid"]
    form = {"disposition": "complaint_logged", "notes": "the chair broke", "resolved": False}
    status, body = call_api(quick_cases.base, "POST", f"/api/wrapup/{first}", agent_login(AGENT), form)
    assert status == 200, body
    case = f"case-{first}"

    (opened,) = wait_until(lambda: journal(url, "CaseOpened"), 10, "the case in the journal")
    assert (opened["case_id"], opened["owner"], opened["source"]) == (case, AGENT, "disposition")
    assert opened["deadline"] == pytest.approx(opened["at"] + DEADLINE_HOURS * 3600)

    raised = wait_until(lambda: len(r := journal(url, "CaseEscalated")) == 2 and r, 40, "two escalations")
    assert [(r["level"], r["owner"]) for r in raised] == [(1, "9001"), (2, "9901")]
    assert raised[0]["at"] >= opened["deadline"] - 0.5
    status, listed = call_api(quick_cases.base, "GET", "/api/cases", staff_login("9901"))
    assert status == 200 and [c["id"] for c in listed["cases"]] == [case]  # type: ignore[index]
    status, theirs = call_api(quick_cases.base, "GET", "/api/cases", agent_login(AGENT))
    assert status == 200 and theirs == {"cases": []}  # no longer the agent's

    call(["+49301190001"], dialled="200", patience_ms=40000)

    def popped() -> list | None:
        status, body = call_api(quick_cases.base, "GET", "/api/pops", agent_login(AGENT))
        pops = body.get("pops", []) if status == 200 and isinstance(body, dict) else []
        return [p for p in pops if p.get("open_cases")] or None

    (pop,) = wait_until(popped, 40, "the next call's pop with the open case")
    (shown,) = pop["open_cases"]
    assert (shown["id"], shown["owner"], shown["level"]) == (case, "9901", 2)
    assert shown["deadline"] == pytest.approx(raised[1]["deadline"])  # the manager's own time
    assert journal(url, "CaseResolved") == []
