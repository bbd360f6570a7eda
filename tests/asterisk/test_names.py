"""A customer's stored name reaches the agent's display and the greeting without controls
or direction overrides (finding 10): cleaned where it leaves the store."""

from __future__ import annotations

from acd import config as config_module
from acd.asterisk.agi_routes import Routes
from acd.asterisk.fastagi import FastAgiService
from acd.config import FastAgi
from acd.core import events as ev
from acd.store import customers, db
from acd.store.directory import Directory
from acd.store.models import Customer, PhoneNumber
from ivr import menu
from tests.asterisk.test_fastagi import TOKEN, asterisk, free_port, headers, listening, on_asyncio

HOSTILE = "\u202eAnna\x9b2J\u2066 Schmidt\x1b[5m\u2069\nDial(x)"
SHOWN = "Anna2J Schmidt[5m Dial(x)"


class Speech:
    """Records what would be spoken; nothing is rendered."""

    def __init__(self) -> None:
        self.spoken: list[str] = []

    async def render(self, text: str, language: str) -> str:
        self.spoken.append(text)
        return "/tmp/greeting"


def stored(url: str) -> None:
    with db.sessions(db.engine(url)).begin() as session:
        person = Customer(name=HOSTILE, language="en")
        person.numbers = [PhoneNumber(number="+495551001")]
        session.add(person)


def test_the_store_hands_out_clean_names(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    stored(url)
    with db.sessions(db.engine(url))() as session:
        [card] = customers.lookup(session, "+495551001")
    assert card.name == SHOWN


@on_asyncio
async def test_display_name_and_greeting_carry_no_controls(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    stored(url)
    directory, speech, received = Directory(url), Speech(), []
    routes = Routes(config_module.load(), received.append, directory, speech, menu.load())
    service = FastAgiService(FastAgi(port=free_port(), header_timeout=0.5, token=TOKEN), routes.table())
    try:
        await listening(service)
        commands = await asterisk(service.config.port, headers())
    finally:
        service.stopService()
        directory.close()
    sent = "\n".join(commands)
    assert f"CALLERID(name)={SHOWN}" in sent or f'CALLERID(name) "{SHOWN}"' in sent, sent
    assert all(SHOWN in text for text in speech.spoken) and speech.spoken
    for text in [sent, *speech.spoken]:
        assert not any(
            (ord(c) < 0x20 and c != "\n")
            or 0x7F <= ord(c) <= 0x9F
            or 0x202A <= ord(c) <= 0x202E
            or 0x2066 <= ord(c) <= 0x2069
            for c in text
        )
    assert isinstance(received[0], ev.CallRouted)
