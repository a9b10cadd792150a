"""Property-based: whatever bytes, encodings or JSON shapes come in, ingest and extraction
raise nothing but graphkit's InputError, and whatever comes out can be written as UTF-8.

Cases are small and derandomized (the same examples on every run), so CI stays fast and
a failure reproduces."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphkit.decoding import decode
from graphkit.errors import InputError
from graphkit.extract import extract_article
from graphkit.ingest import articles_from_unit, load_articles
from graphkit.sources import Unit, json_array_records

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
NAMES = ["BMW", "宝马", "Alibaba", "阿里巴巴", "Яндекс", "Tencent", "Volkswagen", "Microsoft Azure"]
LINKS = [" und ", " and ", "与", " и ", " signed a partnership with ", "签署战略合作协议，"]

# Text made of the pieces articles are made of, plus anything at all.
article_text = st.lists(
    st.one_of(st.sampled_from(NAMES), st.sampled_from(LINKS), st.text(max_size=30),
              st.sampled_from(["\n", "。", ". ", "\u200d", "\u00ad", "\x1b[2J", "\ud800", "\ufeff", "2020-07-04"])),
    max_size=25).map("".join)


def _only_input_errors(unit: Unit) -> None:
    """Ingest and extract one unit: an InputError is fine, anything else fails the test."""
    try:
        articles, notes = articles_from_unit(unit)
    except InputError as exc:
        assert exc.path and exc.problem
        return
    for article in articles:
        extraction = extract_article(article)
        json.dumps(extraction.to_json(), ensure_ascii=False).encode("utf-8")
        for note in notes:
            str(note).encode("utf-8")


@PROPERTY
@given(data=st.binary(max_size=600), kind=st.sampled_from(["txt", "html", "md", "record"]))
def test_property_arbitrary_bytes_give_articles_or_input_errors(data, kind):
    _only_input_errors(Unit(name="x", source="x", kind=kind, payload=data, stem="x"))


@PROPERTY
@given(text=article_text, codec=st.sampled_from(
    ["utf-8", "utf-8-sig", "utf-16", "utf-32", "gb18030", "big5", "cp1251", "koi8_r", "cp1252"]),
    cut=st.integers(min_value=0, max_value=3))
def test_property_any_encoding_of_any_text_never_crashes(text, codec, cut):
    try:
        data = text.encode(codec, errors="surrogatepass" if codec.startswith("utf") else "strict")
    except UnicodeEncodeError:
        data = text.encode(codec, errors="replace")
    data = data[:len(data) - cut]  # a file cut inside its last character
    _only_input_errors(Unit(name="x.txt", source="x.txt", kind="txt", payload=data, stem="x"))


printable = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp")), min_size=1, max_size=200)


@PROPERTY
@given(text=printable, codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
def test_property_unicode_with_or_without_mark_decodes_exactly(text, codec):
    if not text.strip():
        return
    assert decode(text.encode(codec), "x").text == text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["text", "id", "title", "published", "lang", "url", "body", "x"]), inner, max_size=5),
    max_leaves=20)


@PROPERTY
@given(records=st.lists(st.one_of(
    json_values,
    st.fixed_dictionaries({"text": article_text}, optional={"id": json_values, "title": json_values,
                                                            "published": json_values, "lang": json_values})),
    max_size=5), damage=st.sampled_from(["", "}", "[", ",", '"', "\u2028", "x"]))
def test_property_json_shapes_cost_only_their_own_record(records, damage):
    text = json.dumps(records, ensure_ascii=False) + damage
    for index, _, record in json_array_records(text):
        _only_input_errors(Unit(name=f"x.json, record {index}", source="x.json", kind="record",
                                payload=record, stem=f"x-{index}", encoding="utf-8"))


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(json_values.map(lambda v: json.dumps(v, ensure_ascii=False)),
                                st.text(max_size=40), st.just('{"id": "good", "text": "BMW und Alibaba kooperieren."}')),
                      max_size=6))
def test_property_jsonl_files_keep_every_good_line(tmp_path, lines):
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    result = load_articles([path])
    good = sum(line == '{"id": "good", "text": "BMW und Alibaba kooperieren."}' for line in lines)
    assert len([a for a in result.articles if a.text == "BMW und Alibaba kooperieren."]) == min(good, 1)
    assert all(isinstance(p, InputError) for p in result.problems)


def test_find_dates_keeps_the_most_specific_of_overlapping_matches_on_long_text():
    from graphkit.dates import find_dates

    unit = "07.07.2020, 2019年3月28日 und В октябре 2020 года; March 5, 2021. "
    hits = find_dates(unit * 500)
    assert [h.iso for h in hits] == ["2020-07-07", "2019-03-28", "2020-10", "2021-03-05"] * 500
    assert all(a.end <= b.start for a, b in zip(hits, hits[1:]))
