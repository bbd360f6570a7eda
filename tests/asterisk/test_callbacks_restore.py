"""A callback served while the daemon was down is not dialled again when it returns: the
dialplan logged the dial's result in queue_log (CALLBACKDIAL), and restore counts it."""

from __future__ import annotations

import asyncio

from acd import config as config_module
from acd.asterisk import queue_log
from acd.asterisk.callbacks import Callbacks, dialled_meanwhile
from acd.core.callbacks import Callback, Status
from acd.core.center import CallCenter
from tests.asterisk.test_fastagi import on_asyncio


class Live:
    def __init__(self, callbacks: list[Callback]) -> None:
        self.saved = {c.id: c for c in callbacks}

    async def load_callbacks(self) -> list[Callback]:
        return list(self.saved.values())

    async def save_callback(self, callback: Callback) -> None:
        self.saved[callback.id] = callback

    async def drop_callback(self, field: str) -> None:
        del self.saved[field]


class Ami:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def action(self, action) -> dict:
        self.sent.append(action if isinstance(action, dict) else action.as_dict())
        return {"Response": "Success"}


def callbacks(tmp_path, log_lines: list[str], saved: list[Callback]) -> tuple[Callbacks, Live, Ami]:
    path = tmp_path / "queue_log"
    path.write_text("".join(line + "\n" for line in log_lines))
    live, ami = Live(saved), Ami()
    config = config_module.load()
    return (
        Callbacks(
            config, CallCenter({"support": 20.0}), ami, live, None, clock=lambda: 1000.0, queue_log_path=path
        ),
        live,
        ami,
    )


def waiting(cid: str, attempts: int = 0) -> Callback:
    return Callback(cid, "+49301112233", "support", 1, 0, 900.0, attempts=attempts)


@on_asyncio
async def test_a_callback_answered_while_the_daemon_was_down_is_done_not_redialled(tmp_path):
    lines = [
        "990|acd-1.1|support|NONE|ENTERQUEUE||+49301112233|1",
        "995|acd-1.1|support|NONE|CALLBACKDIAL|ANSWER",
        "996|acd-2.1|support|NONE|CALLBACKDIAL|NOANSWER",  # attempt 1, already counted
        "997|acd-3.1|support|NONE|CALLBACKDIAL|BUSY",
    ]
    desk, live, ami = callbacks(
        tmp_path,
        lines,
        [waiting("acd-1.1"), waiting("acd-2.1", attempts=1), waiting("acd-3.1"), waiting("acd-4.1")],
    )
    await desk.restore()
    await asyncio.sleep(0)
    assert live.saved["acd-1.1"].status is Status.DONE
    assert live.saved["acd-3.1"].status is Status.RETRY and live.saved["acd-3.1"].attempts == 1
    placed = [a["Variable"] for a in ami.sent if a["Action"] == "Originate"]
    ids = sorted(v.split("=", 1)[1] for vs in placed for v in vs if v.startswith("__ACD_CALLBACK_ID="))
    assert ids == ["acd-2.1", "acd-4.1"]  # waiting, placeholder gone; the served one is not


def test_the_tail_skips_a_cut_line_and_reads_results_in_order(tmp_path):
    path = tmp_path / "queue_log"
    path.write_text("1|x|q|NONE|CALLBACKDIAL|BUSY\n" * 3 + "2|x|q|NONE|CALLBACKDIAL|ANSWER\n")
    assert dialled_meanwhile(queue_log.tail(path, limit=62)) == {"x": ["BUSY", "ANSWER"]}
    assert queue_log.tail(tmp_path / "missing") == []


@on_asyncio
async def test_a_bad_record_and_a_bad_queue_log_line_stop_no_other_callback(tmp_path):
    """A record with a queue that is no name, and a queue_log time that only isdigit takes
    ("²"), are passed over: the good callback is still put back."""
    lines = ["990|acd-1.1|support|NONE|ENTERQUEUE||+49301112233|1", "²|x|support|NONE|CALLBACKDIAL|ANSWER"]
    odd = Callback("acd-5.1", "+49301112233", ["support"], 1, 0, 900.0)  # type: ignore[arg-type]
    desk, live, ami = callbacks(tmp_path, lines, [odd, waiting("acd-4.1")])
    await desk.restore()
    assert list(live.saved) == ["acd-4.1"]
    await asyncio.sleep(0)
    placed = [a["Variable"] for a in ami.sent if a["Action"] == "Originate"]
    ids = [v.split("=", 1)[1] for vs in placed for v in vs if v.startswith("__ACD_CALLBACK_ID=")]
    assert ids == ["acd-4.1"]
