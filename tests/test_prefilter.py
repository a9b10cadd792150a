"""The automaton prefilter never skips a regex that could match."""

import re

from hypothesis import given, settings, strategies as st

from graphkit.extract.prefilter import Prefilter, required_literals
from graphkit.extract.rulebook import load_language_rules
from graphkit.textnorm import match_view

LANGS = ("zh", "de", "ru", "en")


def test_literals_of_common_constructions():
    assert required_literals(re.compile(r"\bdeploy(?:s|ed|ing)?\b")) == {"deploy"}
    assert required_literals(re.compile("签署|合作")) == {"签署", "合作"}
    assert required_literals(re.compile(r"(?:joint )?venture")) == {"venture"}  # optional parts are not required
    assert required_literals(re.compile(r"(?:ab)+c")) == {"ab"}  # the longer of two requirements
    assert required_literals(re.compile(r"\w+ \d+")) == {" "}
    assert required_literals(re.compile(r"[a-z]+\d*")) is None
    assert required_literals(re.compile(r"(?i:partner)")) is None  # case-folded parts are not searched
    assert required_literals(re.compile(r"partner", re.I)) is None


def test_prefilter_names_the_regexes_that_can_match():
    pre = Prefilter({"deploy": re.compile(r"\bdeploys?\b"), "any": re.compile(r"\d+"), "sign": re.compile("签署|签约")})
    assert pre.candidates("bmw deploys on azure") == {"deploy", "any"}
    assert pre.candidates("宝马与腾讯签约") == {"sign", "any"}
    assert pre.candidates("nothing here") == {"any"}


def _all_regexes(rules):
    out = {("trigger", r.id): r.regex for r in rules.trigger_rules}
    out.update({("pattern", r.id): r.regex for r in rules.pattern_rules})
    out.update({("cue", name): regex for name, regex in rules.cues.items() if regex is not None})
    return out


def _assert_no_match_skipped(rules, text):
    possible = rules.prefilter.candidates(text)
    for key, regex in _all_regexes(rules).items():
        if regex.search(text):
            assert key in possible, (key, text)


def test_rule_examples_of_every_language_keep_their_rules():
    for lang in LANGS:
        rules = load_language_rules(lang)
        for rule in rules.rules:
            for sentence in rule.examples + rule.counter_examples:
                view = match_view(sentence)
                _assert_no_match_skipped(rules, view)
                _assert_no_match_skipped(rules, re.sub(r"[A-Za-z]+", "⟦0⟧", view, count=2))


def _pieces(lang):
    rules = load_language_rules(lang)
    literals = sorted({lit for regex in _all_regexes(rules).values() for lit in (required_literals(regex) or ())})
    return rules, st.lists(st.one_of(st.sampled_from(literals), st.sampled_from(["⟦0⟧", "⟦1⟧", " ", ",", "。", "a", "и"]),
                                     st.text(max_size=3)), max_size=12).map("".join)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(data=st.data())
def test_random_texts_built_from_rule_words_never_lose_a_match(data):
    for lang in LANGS:
        rules, texts = _pieces(lang)
        _assert_no_match_skipped(rules, data.draw(texts))
