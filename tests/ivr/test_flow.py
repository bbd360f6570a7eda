"""Every branch of the IVR flow, driven without Asterisk: the test answers its requests."""

from __future__ import annotations

from collections import namedtuple

import pytest

from ivr import menu as menu_module
from ivr.flow import Ask, Attempt, Caller, Check, FindAccount, Guessed, IvrCall, Limit, Say, Spared

MENU = menu_module.load(queues=["support", "support-3", "sales"])
Owner = namedtuple("Owner", "id vip")
ACCOUNTS = {"00000018": Owner(7, False), "00000026": Owner(8, True)}  # valid Luhn numbers
FACTS = {(7, "postcode"): "10115", (7, "date_of_birth"): "01021980", (8, "postcode"): "20095"}


class Script:
    """Replies to the flow's requests: digits for each Ask in order, the store for the rest."""

    def __init__(self, *digits: str, owed: dict[str, float] | None = None) -> None:
        self.digits = list(digits)
        self.asked: list[Ask] = []
        self.said: list[Say] = []
        self.owed = owed or {}  # backoff owed by key (seconds), as redis would say
        self.guesses: list[Guessed | Spared] = []

    def drive(self, call: IvrCall) -> IvrCall:
        flow, reply = call.run(), None
        try:
            while True:
                request = flow.send(reply)
                reply = self.answer(request)
        except StopIteration:
            return call

    def answer(self, request):
        if isinstance(request, Ask):
            self.asked.append(request)
            return self.digits.pop(0)
        if isinstance(request, Say):
            self.said.append(request)
            return None
        if isinstance(request, FindAccount):
            return ACCOUNTS.get(request.number)
        if isinstance(request, (Limit, Attempt)):
            return max((self.owed.get(k, 0.0) for k in request.keys), default=0.0)
        if isinstance(request, (Guessed, Spared)):
            self.guesses.append(request)
            return None
        assert isinstance(request, Check)
        return FACTS.get((request.customer_id, request.question)) == request.answer

    def steps(self) -> list[str]:
        return [a.step for a in self.asked]


def ivr(caller: Caller, *digits: str, open: bool = True) -> tuple[IvrCall, Script]:
    script = Script(*digits)
    return script.drive(IvrCall(MENU, caller, open=open)), script


def test_unknown_caller_picks_language_then_category():
    call, script = ivr(Caller(), "2", "1")
    assert (call.language, call.category.name, call.queue) == ("de", "product", "sales")
    assert script.steps() == ["language", "category"]
    assert script.asked[1].parts[0] == ("de", "Willkommen beim Kundenservice.")
    assert call.steps == ["language:de", "category:product"]
    assert call.account is None and call.verification == ""


def test_known_language_skips_the_language_menu_and_greets_first():
    call, script = ivr(Caller(customer_id=7, language="de", greeting="Guten Tag Anna"), "9")
    assert script.steps() == ["category"]
    assert script.asked[0].parts[0] == ("de", "Guten Tag Anna")
    assert call.greeted and call.steps == ["language:de:known", "category:other"]


def test_wrong_digits_end_on_the_default_route():
    call, script = ivr(Caller(), "1", "7", "0", "8")
    assert call.category is None and call.queue == MENU.default_queue
    assert call.steps == [
        "language:en",
        "category:invalid",
        "category:invalid",
        "category:invalid",
        "category:default",
    ]
    assert script.asked[2].parts[0] == ("en", "Sorry, that is not a valid choice.")
    assert script.said[-1].parts[-1][1].startswith("Please hold")


def test_silence_everywhere_takes_the_defaults():
    call, script = ivr(Caller(), "", "", "", "", "", "")
    assert (call.language, call.category, call.queue) == (MENU.default_language, None, "support")
    assert script.asked[1].parts[0][1] == "Sorry, I did not hear a choice."
    assert call.steps[-1] == "category:default" and "language:default" in call.steps


def test_shared_number_is_resolved_by_account_entry():
    call, script = ivr(Caller(candidates=2, language=None), "1", "2", "00000026")
    assert (call.customer_id, call.account, call.queue) == (8, "00000026", "sales")
    assert call.priority == MENU.vip_priority  # the account's holder is a VIP
    assert script.asked[2].step == "account"
    assert "Several customers" in script.asked[2].parts[0][1]


def test_bad_check_digit_and_unknown_account_are_retried_then_given_up():
    call, script = ivr(Caller(), "1", "3", "00000019", "00000034", "")
    assert call.account is None and call.customer_id is None and call.queue == "support"
    assert call.steps[-4:] == ["account:invalid", "account:invalid", "account:no_input", "account:gave_up"]
    assert script.asked[3].parts[0][1] == "Sorry, that account number was not recognised."


def test_caller_id_alone_never_names_the_account():
    """Finding 9: a known (or spoofed) number with one account still has to type it."""
    caller = Caller(customer_id=7, language="en", accounts=("00000018",), number="+4930111")
    call, script = ivr(caller, "3", "", "", "")
    assert call.account is None and "account:known" not in call.steps
    assert script.steps() == ["category", "account", "account", "account"]
    assert call.steps[-1] == "account:gave_up" and call.verification == ""


def test_caller_id_alone_never_verifies():
    caller = Caller(customer_id=7, language="en", accounts=("00000018",), number="+4930111")
    call, script = ivr(caller, "4", "", "", "")  # wants verification, gives no account
    assert call.verification == "" and not any(s.startswith("identity") for s in script.steps())


def test_failed_question_then_alternative_verifies():
    caller = Caller(customer_id=7, language="en", accounts=("00000018",))
    call, script = ivr(caller, "4", "00000018", "31121999", "10115")
    assert call.verification == "verified"
    assert call.steps[-2:] == ["date_of_birth:wrong", "postcode:right"]
    assert script.asked[3].parts[0][1].startswith("That did not match")
    assert [a.max_digits for a in script.asked[2:]] == [8, MENU.identity.answer_digits]
    assert script.said[-1].parts[0][1] == "Thank you, you are verified."


def test_star_skips_a_question_but_costs_like_a_wrong_answer():
    caller = Caller(customer_id=7, language="en", accounts=("00000018",))
    call, _ = ivr(caller, "4", "00000018", "*", "10115")
    assert call.verification == "verified" and "date_of_birth:skipped" in call.steps
    call, script = ivr(caller, "4", "00000018", "*", "*")  # skip, skip: the weakest is never asked
    assert call.verification == "locked"
    assert "identity:last_payment" not in script.steps()


def test_too_many_wrong_answers_lock():
    caller = Caller(customer_id=7, language="en", accounts=("00000018",))
    call, script = ivr(caller, "5", "00000018", "11111111", "99999")
    assert call.verification == "locked" and call.queue == "support-3"  # a complaint
    assert script.said[-1].parts[0][1] == "We could not verify you."


def test_no_answer_to_any_question_is_not_verified():
    caller = Caller(customer_id=7, language="en", accounts=("00000018",))
    call, _ = ivr(caller, "4", "00000018", "", "")
    assert call.verification == "locked"


def test_wrong_answers_count_against_account_customer_and_number():
    caller = Caller(language="en", number="+4930111")
    script = Script("4", "00000018", "11111111", "10115")
    script.drive(IvrCall(MENU, caller))
    keys = ("account:00000018", "customer:7", "number:+4930111")
    # the account typed exists: no wrong guess, the caller's number gets its attempt back
    assert script.guesses == [Spared(keys[2:]), Guessed(keys, False), Guessed(keys, True)]


@pytest.mark.parametrize("key", ["account:00000018", "customer:7", "number:+4930111"])
def test_a_key_that_owes_backoff_gets_no_answer_checked(key):
    script = Script("4", "00000018", "01021980", owed={key: 300.0})
    call = script.drive(IvrCall(MENU, Caller(language="en", number="+4930111")))
    if key.startswith("number"):
        assert "account:throttled" in call.steps and call.account is None
    else:
        assert call.verification == "locked" and "identity:throttled" in call.steps
    assert not any(s.startswith("identity:") for s in script.steps())


def test_a_wrong_account_number_counts_against_the_caller_number():
    script = Script("3", "00000026", owed={})
    script.digits = ["3", "00000034", "00000018"]
    script.drive(IvrCall(MENU, Caller(language="en", number="+4930111")))
    assert script.guesses == [Guessed(("number:+4930111",), False), Spared(("number:+4930111",))]


def test_unknown_caller_is_verified_after_giving_an_account():
    call, _ = ivr(Caller(), "1", "4", "00000018", "", "10115")
    assert (call.customer_id, call.verification) == (7, "verified")


def test_complaint_and_vip_priorities():
    vip = Caller(customer_id=7, language="en", vip=True, accounts=("00000018",))
    assert ivr(vip, "9")[0].priority == MENU.vip_priority
    plain = Caller(customer_id=7, language="en", accounts=("00000018",))
    assert ivr(plain, "5", "", "", "")[0].priority == 5


def test_closed_line_says_so_and_asks_nothing():
    call, script = ivr(Caller(language="de"), open=False)
    assert script.asked == [] and call.steps == ["closed"]
    assert call.queue == "" and script.said[0].parts[0][0] == "de"


@pytest.mark.parametrize("caller", [Caller(language="xx"), Caller(language="")])
def test_unsupported_language_falls_back_to_the_menu(caller):
    call, script = ivr(caller, "1", "9")
    assert script.steps()[0] == "language" and call.language == "en"


# -- the survey's opt-in (acd.yaml survey.ivr_opt_in) ------------------------------------------


def _opt_in_run(digits: list[str], offer: dict[str, str]) -> tuple[IvrCall, list[Ask]]:
    from ivr.menu import load

    call = IvrCall(load(), Caller(language="de"), survey_offer=offer)
    flow, asked, reply = call.run(), [], None
    replies = iter(digits)
    while True:
        try:
            request = flow.send(reply)
        except StopIteration:
            return call, asked
        if isinstance(request, Ask):
            asked.append(request)
            reply = next(replies, "")
        else:
            reply = None


def test_the_ivr_asks_for_the_survey_once_and_a_1_opts_in():
    offer = {"en": "Rate us afterwards? Press 1.", "de": "Danach bewerten? Drücken Sie 1."}
    call, asked = _opt_in_run(["9", "1"], offer)  # category "other", then yes
    assert call.steps[-1] == "survey:yes"
    assert asked[-1].step == "survey" and asked[-1].max_digits == 1
    assert asked[-1].parts[-1] == ("de", "Danach bewerten? Drücken Sie 1.")  # their language
    call, asked = _opt_in_run(["9", "2"], offer)
    assert call.steps[-1] == "survey:no" and [a.step for a in asked].count("survey") == 1
    call, _ = _opt_in_run(["9"], {"en": "Rate us afterwards? Press 1."})  # silence; English only
    assert call.steps[-1] == "survey:no"


def test_without_an_offer_the_ivr_does_not_ask():
    call, asked = _opt_in_run(["9"], {})
    assert "survey" not in [a.step for a in asked] and not any(s.startswith("survey") for s in call.steps)


def test_complaint_callers_go_to_the_line_that_takes_complaints():
    """config/acd.yaml says the third line takes complaints: the IVR's category routes there
    (it sent them to the first line before)."""
    from acd import config as config_module

    config = config_module.load(write_secrets=False)
    menu = menu_module.load(queues=[q.name for q in config.queues])
    (complaint,) = [c for c in menu.categories if c.name == "complaint"]
    assert config.queue(complaint.queue).line == 3
    caller = Caller(customer_id=7, language="en", accounts=("00000018",))
    assert ivr(caller, "5", "00000018", "*", "10115")[0].queue == "support-3"
