"""sipp phones only the end-to-end tests use: one that never answers, a softphone that dials
a code and presses keys. The demo's phones (the escalating agent too) are in acd/lab/sipp.py
and acd/lab/phones.py (shipped); these, and their scenarios, are not."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from acd.lab.phones import EscalatingAgent
from acd.lab.sipp import HOST, Pbx, Process, RegisteredPhone, dtmf_actions, listening_phone
from acd.lab.sipp import SCENARIOS as SHIPPED

SCENARIOS = Path(__file__).with_name("scenarios")
__all__ = ["EscalatingAgent", "SlowAnswerPhone", "UnansweredPhone", "phone_call"]


class UnansweredPhone(RegisteredPhone):
    """A registered softphone that rings and rings: nobody picks up."""

    def __init__(self, pbx: Pbx, workdir: Path, user: str, password: str, port: int, media_port: int) -> None:
        cmd = listening_phone(SCENARIOS / "ring_forever.xml", port, media_port)
        super().__init__(pbx, user, password, port, cmd, workdir, f"unanswered-{user}")


class SlowAnswerPhone(RegisteredPhone):
    """An agent's softphone that rings `ring_ms` before it answers (the demo agent's scenario,
    a pause after its 180 Ringing), then talks for `talk_ms`: time for a screen to pop."""

    def __init__(
        self,
        pbx: Pbx,
        workdir: Path,
        user: str,
        password: str,
        port: int,
        ring_ms: int,
        talk_ms: int,
        media_port: int,
    ) -> None:
        text = (SHIPPED / "agent.xml").read_text()
        answer = '  <send retrans="500"><![CDATA[\nSIP/2.0 200 OK'
        assert text.count(answer) == 1, "the agent scenario's answer moved"
        scenario = workdir / f"slow-answer-{user}.xml"
        scenario.write_text(text.replace(answer, f'  <pause milliseconds="{ring_ms}"/>\n' + answer))
        cmd = listening_phone(scenario, port, media_port, "-d", str(talk_ms))
        super().__init__(pbx, user, password, port, cmd, workdir, f"slow-answer-{user}")


def phone_call(
    pbx: Pbx,
    workdir: Path,
    user: str,
    password: str,
    dialled: str,
    *,
    keys: Sequence[tuple[int, str]] = (),
    patience_ms: int = 15000,
    media_port: int,
    name: str = "phone-call",
) -> Process:
    """A softphone (digest auth) dials `dialled`, e.g. a feature code, and presses `keys`."""
    scenario = workdir / f"{name}.xml"
    text = (SCENARIOS / "phone_call.xml").read_text().replace("@PATIENCE@", str(patience_ms))
    scenario.write_text(text.replace("@DIGITS@", dtmf_actions(keys)))
    cmd = [
        "sipp",
        "-sf",
        str(scenario),
        pbx.target,
        "-s",
        dialled,
        "-au",
        user,
        "-ap",
        password,
        "-key",
        "phone",
        user,
        "-i",
        HOST,
        "-p",
        "0",
        "-mi",
        HOST,
        "-mp",
        str(media_port),
        "-m",
        "1",
        "-nostdin",
        "-trace_err",
        "-trace_stat",
        "-fd",
        "1",
        "-timeout",
        f"{patience_ms // 1000 + 60}s",
    ]
    return Process(cmd, workdir, name)
