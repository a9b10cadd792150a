"""Rule files: validation errors name the file and rule; every example and counter-example runs."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from graphkit.cli import app
from graphkit.extract.rulebook import RuleFileError, load_language_rules, parse_frames, parse_language_rules, rule_files
from graphkit.extract.trace import rule_outcome

LANGS = ("zh", "de", "ru", "en")
RULES = [(lang, rule) for lang in LANGS for rule in load_language_rules(lang).rules]


def _cases(kind):
    for lang, rule in RULES:
        for sentence in getattr(rule, kind):
            yield pytest.param(lang, rule, sentence, id=f"{rule.id}:{sentence[:30]}")


@pytest.mark.parametrize("lang,rule,sentence", list(_cases("examples")))
def test_rule_example_fires(lang, rule, sentence):
    fired, unblocked = rule_outcome(rule, sentence, lang)
    assert unblocked, f"{rule.id} should fire on: {sentence}"


@pytest.mark.parametrize("lang,rule,sentence", list(_cases("counter_examples")))
def test_rule_counter_example_does_not_fire(lang, rule, sentence):
    _, unblocked = rule_outcome(rule, sentence, lang)
    assert not unblocked, f"{rule.id} should not fire on: {sentence}"


def test_every_rule_id_names_its_language_and_is_unique():
    ids = [rule.id for _, rule in RULES]
    assert all(rule.id.startswith(f"{lang}.") for lang, rule in RULES)
    assert len(ids) == len(set(ids))


def test_every_rule_has_examples_and_counter_examples():
    missing = [rule.id for _, rule in RULES if not rule.examples or not rule.counter_examples]
    assert not missing, f"rules without examples or counter-examples: {missing}"


_GOOD_RULE = '''
lang = "en"
clause_split = "[;]"
[cues]
negation = ["\\\\btalks\\\\b"]
[connectors]
with = ["\\\\bwith\\\\b"]
[[rule]]
id = "en.test.partners"
relation = "PARTNERS_WITH"
strategy = "connector_split"
triggers = ["\\\\bpartner"]
'''


@pytest.mark.parametrize("edit,problem", [
    (lambda s: s.replace('strategy = "connector_split"', 'strategy = "connector_split"\ncolour = "red"'), "unknown key 'colour'"),
    (lambda s: s.replace('["\\\\bpartner"]', '["(unclosed"]'), "bad regex"),
    (lambda s: s.replace('"PARTNERS_WITH"', '"FRIENDS_WITH"'), "unknown relation 'FRIENDS_WITH'"),
    (lambda s: s.replace('"connector_split"', '"telepathy"'), "unknown strategy 'telepathy'"),
    (lambda s: s.replace('["\\\\bpartner"]', '["⟦0⟧ partner"]'), "internal mention tokens"),
])
def test_rule_file_errors_name_the_file_and_rule(tmp_path, edit, problem):
    path = tmp_path / "en.toml"
    path.write_text(edit(_GOOD_RULE), encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        parse_language_rules(path, "en")
    message = str(err.value)
    assert str(path) in message and "en.test.partners" in message and problem in message
    assert "\n" not in message


def test_good_rule_file_parses(tmp_path):
    path = tmp_path / "en.toml"
    path.write_text(_GOOD_RULE, encoding="utf-8")
    rules = parse_language_rules(path, "en")
    assert [r.id for r in rules.rules] == ["en.test.partners"]


def test_frames_file_errors(tmp_path):
    path = tmp_path / "frames.toml"
    path.write_text('[frame.PARTNERS_WITH]\nsymmetric = true\nblocked_by = ["gossip"]\n', encoding="utf-8")
    with pytest.raises(RuleFileError, match="frame PARTNERS_WITH: unknown cue class 'gossip'"):
        parse_frames(path)


def test_shipped_rule_files_are_the_ones_loaded():
    assert set(rule_files()) == set(LANGS)
    assert all(path.exists() for path in rule_files().values())


def test_cli_rules_check_passes_on_shipped_files():
    result = CliRunner().invoke(app, ["rules", "check"])
    assert result.exit_code == 0, result.output
    assert "all rule files valid" in result.output


def test_cli_rules_trace_shows_rules_blocks_and_relations():
    runner = CliRunner()
    ok = runner.invoke(app, ["rules", "trace", "BMW arbeitet seit Jahren bei der Software mit Tencent zusammen.", "--lang", "de"])
    assert ok.exit_code == 0, ok.output
    assert "mentions:" in ok.output and "BMW" in ok.output and "Tencent" in ok.output
    assert "PARTNERS_WITH BMW -> Tencent" in ok.output or "PARTNERS_WITH Tencent -> BMW" in ok.output
    blocked = runner.invoke(app, ["rules", "trace", "BMW is in talks to partner with Tencent.", "--lang", "en"])
    assert blocked.exit_code == 0
    assert "BLOCKED by negation" in blocked.output
    assert "relations:\n  none" in blocked.output


def test_relation_work_per_sentence_is_bounded():
    """A 'sentence' of a thousand names: only MAX_MENTIONS take part, each paired with at
    most WINDOW followers, so the work per sentence has a fixed ceiling (linear time)."""
    from graphkit.extract.features import WINDOW
    from graphkit.extract.relations import MAX_MENTIONS, MAX_SENTENCE
    from graphkit.extract.trace import trace_text
    names = ", ".join(f"Firma{i} GmbH" for i in range(1000))
    result = trace_text(f"BMW kooperiert mit {names}.", "de", scorer=None)
    assert all(len(t.sentence.text) <= MAX_SENTENCE for t in result.sentences)
    assert all(len(t.sentence.mentions) <= MAX_MENTIONS + 2 for t in result.sentences)
    assert all(len(t.candidates) <= (MAX_MENTIONS + 2) * WINDOW for t in result.sentences)
    assert len(result.sentences) >= 1


def test_cli_rules_trace_says_which_occurrence_of_a_repeated_name():
    text = "BMW und Tencent unterzeichnen eine Partnerschaft, und BMW und Tencent wollen gemeinsam Cloud-Dienste entwickeln."
    result = CliRunner().invoke(app, ["rules", "trace", text, "--lang", "de"])
    assert result.exit_code == 0, result.output
    assert "[BMW#1] und [Tencent#1]" in result.output and "[BMW#2] und [Tencent#2]" in result.output
    rule_lines = [line for line in result.output.splitlines() if line.strip().startswith("rule ")]
    assert len(rule_lines) == len(set(rule_lines)), rule_lines  # the same hit is one line with a count
    candidate_lines = [line.split(":")[0] for line in result.output.splitlines() if "candidate " in line]
    assert len(candidate_lines) == len(set(candidate_lines)), candidate_lines
