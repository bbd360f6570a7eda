"""The post-call survey's route: the daemon chooses who is asked (a share, by a hash of seed
and call id: the same call always chosen the same way; or the IVR's opt-in) and keeps what
they keyed: 1-5 is a score, applied as SurveyAnswered and kept on the interaction; anything
else, a timeout or a hang-up is no score, never a zero."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from acd.asterisk import channel_vars as var
from acd.asterisk.fastagi import Hangup, Refused
from acd.asterisk.survey import Survey, chosen, score
from acd.config_survey import Survey as Settings
from acd.core import events as ev
from tests.asterisk.test_fastagi import on_asyncio

TWO = Settings(
    share=0.5,
    questions=(
        {"en": "Rate the agent.", "de": "Bewerten Sie den Mitarbeiter."},
        {"en": "Was it solved?", "de": "Wurde es gelöst?"},
    ),
    intro={"en": "Please rate this call.", "de": "Bitte bewerten Sie."},
    thanks={"en": "Thanks.", "de": "Danke."},
)


class Speech:
    """Renders nothing: a sentence's file is named after its language and text."""

    async def render(self, text: str, language: str) -> Path:
        return Path("/sounds") / language / str(abs(hash(text)))


class Store:
    def __init__(self) -> None:
        self.saved: list[object] = []

    async def write(self, work, *args):
        self.saved.extend(args)
        return True


class Channel:
    def __init__(self, question: str, digit: str, agent: str = "1001", **variables: str) -> None:
        self.headers = {
            "agi_uniqueid": "acd-1.7",
            "agi_arg_1": question,
            "agi_arg_2": digit,
            "agi_arg_3": agent,
        }
        self.variables = {var.SURVEY: "1", var.QUEUE: "support", **variables}

    async def get_variable(self, name: str) -> str:
        value = self.variables.get(name, "")
        if value == "HANGUP":
            raise Hangup()
        return value


def survey(settings: Settings = TWO) -> tuple[Survey, list[ev.Event], Store]:
    applied: list[ev.Event] = []
    store = Store()
    made = Survey(settings, applied.append, store, Speech(), clock=lambda: 500.0)  # type: ignore[arg-type]
    return made, applied, store


def test_the_share_is_chosen_by_seed_and_call_id_the_same_way_every_time():
    ids = [f"acd-1764680000.{n}" for n in range(4000)]
    first = [chosen("acd", i, 0.3) for i in ids]
    assert first == [chosen("acd", i, 0.3) for i in ids]  # deterministic: a restart, a replay
    assert 0.27 < sum(first) / len(ids) < 0.33
    assert first != [chosen("other", i, 0.3) for i in ids]  # another seed, other calls
    assert not any(chosen("acd", i, 0.0) for i in ids) and all(chosen("acd", i, 1.0) for i in ids)
    # a larger share keeps every call a smaller one chose
    assert all(chosen("acd", i, 0.6) for i, was in zip(ids, first, strict=True) if was)


@pytest.mark.parametrize("digit", ["1", "2", "3", "4", "5"])
def test_one_to_five_is_a_score(digit):
    assert score(digit) == int(digit)


@pytest.mark.parametrize("digit", ["", "0", "6", "9", "*", "#", "12", "4#", " 4", "x"])
def test_anything_else_is_no_score(digit):
    assert score(digit) is None


@on_asyncio
async def test_a_digit_from_one_to_five_is_applied_and_kept_on_the_interaction():
    made, applied, store = survey()
    await made.answer(Channel("1", "4"))
    await made.answer(Channel("2", "5"))
    await asyncio.sleep(0)
    assert applied == [
        ev.SurveyAnswered(500.0, "acd-1.7", "support", "1001", 1, 4),
        ev.SurveyAnswered(500.0, "acd-1.7", "support", "1001", 2, 5),
    ]
    assert [(a.call_id, a.question, a.score, a.agent, a.queue) for a in store.saved] == [  # type: ignore[attr-defined]
        ("acd-1.7", 1, 4, "1001", "support"),
        ("acd-1.7", 2, 5, "1001", "support"),
    ]


@on_asyncio
@pytest.mark.parametrize("digit", ["", "0", "7", "*", "#"])
async def test_a_bad_digit_or_a_timeout_leaves_no_score_not_a_zero(digit):
    made, applied, store = survey()
    await made.answer(Channel("1", digit))
    await asyncio.sleep(0)
    assert applied == [] and store.saved == []


@on_asyncio
async def test_a_caller_who_hangs_up_during_the_route_leaves_no_score():
    made, applied, store = survey()
    with pytest.raises(Hangup):
        await made.answer(Channel("1", "4", **{var.SURVEY: "HANGUP"}))
    assert applied == [] and store.saved == []


@on_asyncio
async def test_a_question_is_scored_once():
    made, applied, _ = survey()
    await made.answer(Channel("1", "4"))
    await made.answer(Channel("1", "1"))
    assert [e.score for e in applied if isinstance(e, ev.SurveyAnswered)] == [4]


@on_asyncio
@pytest.mark.parametrize(
    ("question", "variables"),
    [("3", {}), ("", {}), ("1;x", {}), ("1", {var.SURVEY: ""}), ("1", {var.SURVEY: "0"})],
)
async def test_answers_for_unknown_questions_or_calls_not_chosen_are_refused(question, variables):
    made, applied, _ = survey()
    with pytest.raises(Refused):
        await made.answer(Channel(question, "4", **variables))
    assert applied == []


@on_asyncio
async def test_a_second_question_the_survey_does_not_ask_is_refused():
    made, applied, _ = survey(Settings(share=1.0))
    with pytest.raises(Refused):
        await made.answer(Channel("2", "4"))
    assert applied == []


@on_asyncio
async def test_an_agent_or_queue_that_is_not_a_name_is_left_out():
    made, applied, _ = survey()
    await made.answer(Channel("1", "3", agent="10;01", **{var.QUEUE: "Sup port"}))
    assert applied == [ev.SurveyAnswered(500.0, "acd-1.7", "", "", 1, 3)]


@on_asyncio
async def test_a_chosen_caller_gets_the_flag_and_the_questions_in_their_language():
    made, _, _ = survey(TWO.model_copy(update={"share": 1.0}))
    values = await made.values("acd-1.7", "de")
    speech = Speech()
    intro, first = (
        await speech.render("Bitte bewerten Sie.", "de"),
        await speech.render("Bewerten Sie den Mitarbeiter.", "de"),
    )
    assert values == {
        var.SURVEY: "1",
        var.SURVEY_QUESTIONS: "2",
        var.SURVEY_FIRST: f"{intro}&{first}",
        var.SURVEY_SECOND: str(await speech.render("Wurde es gelöst?", "de")),
        var.SURVEY_THANKS: str(await speech.render("Danke.", "de")),
    }
    english = await made.values("acd-1.7", "fr")  # no words in French: the default language
    assert english[var.SURVEY_THANKS] == str(await speech.render("Thanks.", "en"))


@on_asyncio
async def test_others_get_nothing_unless_they_opted_in_where_the_ivr_asks():
    nobody = TWO.model_copy(update={"share": 0.0})
    made, _, _ = survey(nobody)
    assert await made.values("acd-1.7", "en") == {}
    assert await made.values("acd-1.7", "en", opted_in=True) == {}  # the IVR does not ask
    made, _, _ = survey(nobody.model_copy(update={"ivr_opt_in": True}))
    assert (await made.values("acd-1.7", "en", opted_in=True))[var.SURVEY] == "1"
    made, _, _ = survey(TWO.model_copy(update={"share": 1.0, "enabled": False}))
    assert await made.values("acd-1.7", "en", opted_in=True) == {}


def test_every_sentence_is_rendered_at_start_up():
    made, _, _ = survey()
    parts = made.static_parts()
    assert ("de", "Wurde es gelöst?") in parts and ("en", "Thanks.") in parts
    assert ("en", TWO.opt_in["en"]) in parts


def test_the_settings_need_words_in_the_default_language():
    with pytest.raises(ValueError, match="questions"):
        Settings(questions=({"de": "Wie war es?"},))
    with pytest.raises(ValueError):
        Settings(questions=())  # one or two


async def _entered(tmp_path, share: float) -> list[str]:
    from acd import config as config_module
    from acd.asterisk.agi_routes import Routes
    from acd.asterisk.fastagi import FastAgiService
    from acd.config import FastAgi
    from acd.store import db
    from acd.store.directory import Directory
    from ivr import menu
    from tests.asterisk.test_fastagi import TOKEN, asterisk, free_port, headers, listening

    url = f"sqlite:///{tmp_path / f'store{share}.sqlite3'}"
    db.migrate(url)
    directory, config = Directory(url), config_module.load()
    settings = config.survey.model_copy(update={"share": share})
    speech = Speech()
    made = Survey(settings, [].append, directory, speech)  # type: ignore[arg-type]
    routes = Routes(config, [].append, directory, speech, menu.load(), survey=made)  # type: ignore[arg-type]
    service = FastAgiService(FastAgi(port=free_port(), header_timeout=0.5, token=TOKEN), routes.table())
    try:
        await listening(service)
        return await asterisk(service.config.port, headers())
    finally:
        service.stopService()
        directory.close()


@on_asyncio
async def test_the_route_marks_a_chosen_call_before_it_queues_and_leaves_others_alone(tmp_path):
    chosen_call = await _entered(tmp_path, 1.0)
    assert chosen_call[-1] == 'SET VARIABLE ACD_AGI_OK "1"'
    marked = [c for c in chosen_call if var.SURVEY in c]
    assert marked and f"{var.SURVEY}=1," in marked[0] and f"{var.SURVEY_QUESTIONS}=2" in marked[0]
    assert any(c.startswith(f'SET VARIABLE {var.SURVEY_FIRST} "/sounds/en/') for c in chosen_call)
    assert not any(var.SURVEY in c for c in await _entered(tmp_path, 0.0))


def test_the_ivr_asks_for_the_opt_in_only_where_it_is_on_and_the_share_did_not_choose_the_call():
    from acd import config as config_module
    from acd.asterisk.agi_routes import Routes
    from ivr import menu

    def offer(**settings: object) -> dict[str, str]:
        made, _, _ = survey(TWO.model_copy(update=settings))
        routes = Routes(config_module.load(), [].append, None, Speech(), menu.load(), survey=made)  # type: ignore[arg-type]
        return routes._survey_offer("acd-1.7")

    assert offer(share=0.0, ivr_opt_in=False) == {}
    assert list(offer(share=0.0, ivr_opt_in=True)) == ["en"]  # the default language's words first
    assert offer(share=1.0, ivr_opt_in=True) == {}  # chosen anyway: not asked
    assert offer(share=0.0, ivr_opt_in=True, enabled=False) == {}
