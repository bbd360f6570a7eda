"""The dialplan of the post-call survey and of the callback offer, as rendered: only callers
the daemon chose continue after the agent hangs up (Queue()'s c), the survey reads one digit
per question with the configured timeout and hands it to the daemon's route, and every value
from outside is filtered before an application sees it."""

from __future__ import annotations

from pathlib import Path

import pytest

from acd import config
from acd.pbx import render


@pytest.fixture(scope="module")
def loaded() -> config.Config:
    return config.load(write_secrets=False)


@pytest.fixture(scope="module")
def dialplan(loaded) -> str:
    return render.render(loaded, Path("/srv/x"))["extensions.conf"]


def section(dialplan: str, name: str) -> list[str]:
    return dialplan.split(f"[{name}]\n")[1].split("\n[")[0].splitlines()


SURVEYED = '${IF($["${ACD_SURVEY}" = "1"]?c)}'


def test_only_a_chosen_caller_continues_after_the_agent_and_goes_to_the_survey(dialplan):
    for context in ("from-trunk", "acd-escalated", "acd-queue-keys"):
        lines = section(dialplan, context)
        queues = [i for i, line in enumerate(lines) if ",Queue(" in line]
        assert queues, context
        for i in queues:
            assert ",Queue(${ACD_" in lines[i] and f",{SURVEYED}," in lines[i], lines[i]
            assert lines[i + 1].endswith("GotoIf($[!${ISNULL(${MEMBERNAME})}]?acd-survey,s,1)"), lines[i + 1]
    # the agent who escalated, or a last agent who did not answer, is never the one rated
    for context in ("from-trunk", "acd-escalated"):
        lines = section(dialplan, context)
        first = next(i for i, line in enumerate(lines) if ",Queue(" in line)
        assert any(line.endswith("Set(MEMBERNAME=)") for line in lines[:first]), context
    hold = section(dialplan, "acd-callback-hold")  # a placeholder is nobody to ask
    assert not any(SURVEYED in line or "acd-survey" in line for line in hold)


def test_the_survey_flag_is_filtered_like_every_routing_value(dialplan):
    assert " same => n,Set(ACD_SURVEY=${FILTER(0-9,${ACD_SURVEY})})" in section(dialplan, "acd-clean")


def test_each_question_is_one_digit_with_the_configured_timeout_then_the_daemons_route(dialplan, loaded):
    ask = section(dialplan, "acd-survey-ask")
    read = next(line for line in ask if "Read(" in line)
    assert read.endswith(f"Read(ACD_SURVEY_DIGIT,${{ARG2}},1,,1,{loaded.survey.timeout})")
    agi = next(line for line in ask if "AGI(" in line)
    token = loaded.fastagi.token
    assert agi.endswith(
        f"AGI(agi://127.0.0.1:4573/{token}/acd/survey,${{FILTER(12,${{ARG1}})}},"
        "${FILTER(0-9*#,${ACD_SURVEY_DIGIT})},${FILTER(0-9,${MEMBERNAME})})"
    )
    assert ask.index(agi) > ask.index(read)
    assert any('"${ACD_AGI_OK}" != "1"' in line for line in ask)  # the daemon down: no more questions


def test_the_survey_plays_only_filtered_files_and_asks_the_second_question_if_there_is_one(dialplan):
    survey = section(dialplan, "acd-survey")
    for name in ("ACD_SURVEY_FIRST", "ACD_SURVEY_SECOND", "ACD_SURVEY_THANKS"):
        cleaned = f"Set({name}=${{FILTER(A-Za-z0-9/&._\\x2d,${{{name}}})}})"
        assert any(line.endswith(cleaned) for line in survey), name
        used = [i for i, line in enumerate(survey) if f"${{{name}}}" in line and "FILTER" not in line]
        first_clean = next(i for i, line in enumerate(survey) if line.endswith(cleaned))
        assert used and all(i > first_clean for i in used), name
    assert any("Gosub(acd-survey-ask,s,1(1,${ACD_SURVEY_FIRST}))" in line for line in survey)
    assert any("Gosub(acd-survey-ask,s,1(2,${ACD_SURVEY_SECOND}))" in line for line in survey)
    assert any('${FILTER(0-9,${ACD_SURVEY_QUESTIONS})}" != "2"' in line for line in survey)
    assert survey[-1].endswith("(done),Hangup()")


def test_queues_name_the_agent_on_the_callers_channel(loaded):
    queues = render.render(loaded, Path("/srv/x"))["queues.conf"]
    sections = queues.split("\n[")[2:]
    assert sections and all("setinterfacevar = yes" in s for s in sections)


def test_the_announcement_says_what_it_plays(dialplan):
    announce = section(dialplan, "acd-announce")
    assert " same => n,Set(ACD_ANNOUNCE=${FILTER(A-Za-z0-9/&._\\x2d,${ACD_ANNOUNCE})})" in announce
    event = next(line for line in announce if "UserEvent(AcdAnnounce" in line)
    assert "Files: ${ACD_ANNOUNCE})" in event
    assert "To: ${FILTER(A-Za-z0-9/_\\x2d,${ACD_ANNOUNCE_TO})}" in event
    played = next(i for i, line in enumerate(announce) if "Playback(${ACD_ANNOUNCE})" in line)
    assert announce.index(event) < played
