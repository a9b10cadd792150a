"""Ingest: decoding, junk removal, language, title/date, formats, bad input."""

from __future__ import annotations

import json

import pytest

from graphkit.errors import InputError
from graphkit.decoding import decode
from graphkit.ingest import articles_from_bytes, clean_text, decode_bytes, detect_language, load_articles

ZH = "腾讯与东风汽车集团签署战略合作协议，双方将在智能网联汽车领域展开合作。"
RU = "Компания \"Яндекс\" и Hyundai Mobis договорились о совместной разработке беспилотных автомобилей."


@pytest.mark.parametrize("codec", ["gb18030", "gbk"])
def test_ingest_decodes_chinese_legacy_encodings(codec):
    text, used = decode_bytes(ZH.encode(codec), "a.txt")
    assert text == ZH
    assert used == "gb18030"


@pytest.mark.parametrize("codec", ["cp1251", "koi8_r"])
def test_ingest_decodes_russian_legacy_encodings(codec):
    text, used = decode_bytes((RU * 3).encode(codec), "a.txt")
    assert text == RU * 3
    assert used == codec


@pytest.mark.parametrize("data, problem", [
    (b"", "file is empty"),
    (b"  \n\t ", "file is empty"),
    (b"\x00\x01\x02PNG\x00\x00binary", "binary"),
])
def test_ingest_rejects_empty_and_binary(data, problem):
    with pytest.raises(InputError) as info:
        decode_bytes(data, "bad.txt")
    assert "bad.txt" in str(info.value) and problem in str(info.value)


def test_ingest_strips_junk_but_keeps_sentences():
    page = "\n".join([
        "分类导航", "取消", "Pull down to refresh...", "http://img.example.com/a.jpeg?x=1",
        "Startseite China International Wirtschaft Kultur Porträt Bilder Video",
        "微软大中华(参数|图片)区副总裁表示，双方将深化合作。",
        "BMW und Alibaba errichten gemeinsame Innovationsbasis in Shanghai",
        "Подпишитесь на новости:",
    ])
    cleaned = clean_text(page)
    assert cleaned.split("\n") == [
        "微软大中华区副总裁表示，双方将深化合作。",
        "BMW und Alibaba errichten gemeinsame Innovationsbasis in Shanghai",
    ]


@pytest.mark.parametrize("text, lang", [
    (ZH, "zh"),
    ("騰訊控股與廣汽集團開展策略合作。", "zh"),
    (RU, "ru"),
    ("Volkswagen und Microsoft haben eine strategische Partnerschaft für die Cloud vereinbart.", "de"),
    ("Tencent will team up with Guangzhou Automobile Group to develop smart cars.", "en"),
])
def test_ingest_detects_language(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text, title, published", [
    ("标题：飞驰镁物与微软达成战略合作\n内容：2019年3月28日，飞驰镁物与微软签约。", "飞驰镁物与微软达成战略合作", "2019-03-28"),
    ("BMW und Alibaba errichten Innovationsbasis\n· 07.07.2020 · Quelle: x\nBMW errichtet eine Basis.", "BMW und Alibaba errichten Innovationsbasis", "2020-07-07"),
    ("寻找中国的“乔布斯们”!马云和宝马合建了一间车库\n2020-07-04 14:41 7.6万次阅读\n正文。", "寻找中国的“乔布斯们”!马云和宝马合建了一间车库", "2020-07-04"),
    (" date 2019-05 Alliance Ventures partners with Plug and Play.\nMore text here.", None, "2019-05"),
])
def test_ingest_parses_title_and_date(text, title, published):
    article = articles_from_bytes(text.encode("utf-8"), "a.txt", ".txt", "a")[0]
    assert article.published == published
    if title:
        assert article.title == title


def test_ingest_html_drops_navigation_and_reads_metadata():
    page = b"""<html><head><title>Site | News</title>
    <meta property="article:published_time" content="2020-06-30T10:00:00Z"></head>
    <body><nav><a>Home</a><a>Cars</a></nav><h1>Mercedes-Benz and NVIDIA team up</h1>
    <p>Mercedes-Benz and NVIDIA agreed to build a software-defined computing architecture.</p>
    <footer>Share Comments Cookie settings</footer><script>var x = "junk";</script></body></html>"""
    article = articles_from_bytes(page, "p.html", ".html", "p")[0]
    assert article.title == "Mercedes-Benz and NVIDIA team up"
    assert article.published == "2020-06-30"
    assert "junk" not in article.text and "Home" not in article.text and "Cookie" not in article.text
    assert "software-defined computing architecture" in article.text


def test_ingest_jsonl_records_and_errors(tmp_path):
    good = tmp_path / "batch.jsonl"
    good.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a1", "text": "Ford and Google form a partnership.", "published": "2021-02-01"},
        {"id": "a2", "text": "Toyota runs its platform on Amazon Web Services.", "lang": "en"},
    ]), encoding="utf-8")
    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"id": "x", "text": "ok"}\n{not json', encoding="utf-8")
    result = load_articles([good, bad])
    assert [a.id for a in result.articles] == ["a1", "a2", "x"]  # the good line of the broken file is kept
    assert result.articles[0].published == "2021-02-01"
    assert len(result.problems) == 1 and "broken.jsonl" in str(result.problems[0]) and "line 2" in str(result.problems[0])


def test_ingest_keeps_going_past_bad_files_and_skips_duplicates(tmp_path):
    (tmp_path / "a.txt").write_text(ZH, encoding="utf-8")
    (tmp_path / "copy.txt").write_bytes(ZH.encode("gb18030"))  # same text, other encoding
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "ru.txt").write_bytes(RU.encode("cp1251"))
    result = load_articles([tmp_path, tmp_path / "missing.txt"])
    assert sorted(a.id for a in result.articles) == ["a", "ru"]
    assert result.duplicates == [("copy", "a")]
    problems = sorted(str(p) for p in result.problems)
    assert any("empty.txt: file is empty" in p for p in problems)
    assert any("image.txt" in p and "binary" in p for p in problems)
    assert any("missing.txt: no such file or folder" in p for p in problems)


def test_ingest_refuses_huge_files(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("BMW und Alibaba. " * 1000, encoding="utf-8")
    result = load_articles([big], max_bytes=1000)
    assert not result.articles
    assert "over the" in str(result.problems[0]) and "big.txt" in str(result.problems[0])


# --- decoding that keeps the text ---------------------------------------------------------


def test_ingest_utf8_with_a_few_bad_bytes_stays_utf8_and_counts_them():
    data = bytearray((ZH * 4).encode("utf-8"))
    data[10] = 0xFF  # inside a character
    data[100] = 0x80
    result = decode(bytes(data), "a.txt")
    assert result.encoding == "utf-8" and result.replaced >= 2
    assert "东风汽车集团" in result.text and "战略合作协议" in result.text
    assert "damaged" in result.note() and "replaced" in result.note()
    article = articles_from_bytes(bytes(data), "a.txt", ".txt", "a")[0]
    assert article.encoding == "utf-8" and "东风汽车集团" in article.text


@pytest.mark.parametrize("text, codec", [
    ("Tencent\u2019s \u201cconnected car\u201d deal with GAC \u2013 signed in Guangzhou.", "cp1252"),
    ("Für die Zusammenarbeit mit Volkswagen wählte Microsoft die Azure-Plattform; die Größe überrascht.", "cp1252"),
    ("騰訊與廣汽集團開展策略合作。", "big5"),
    ("騰訊與廣汽集團開展策略合作。", "gb18030"),
    ("腾讯与广汽合作", "gb18030"),
])
def test_ingest_picks_the_legacy_encoding_that_reads_right(text, codec):
    decoded, used = decode_bytes(text.encode(codec), "a.txt")
    assert decoded == text, used


@pytest.mark.parametrize("data", [
    b"\xff\xfe" + "BMW und Alibaba".encode("utf-16-le") + b"\x41",  # odd length
    b"\xff\xfe" + "BMW ".encode("utf-16-le") + b"\x00\xd8" + "Alibaba".encode("utf-16-le"),  # lone surrogate
    b"\xfe\xff" + "BMW und Alibaba".encode("utf-16-be")[:-1],
])
def test_ingest_utf16_damage_is_replaced_not_fatal(data):
    result = decode(data, "a.txt")
    assert "BMW" in result.text and result.replaced >= 1
    article = articles_from_bytes(data, "a.txt", ".txt", "a")[0]
    article.text.encode("utf-8")  # nothing unencodable survives


def test_ingest_removes_invisible_characters_inside_names():
    text = "Ten\u00adcent und BMW\u200d vereinbaren eine Partnerschaft mit Ali\u200bbaba.\u202e \x1b[2J\u2066Ende\u2069"
    article = articles_from_bytes(text.encode("utf-8"), "a.txt", ".txt", "a")[0]
    assert "Tencent und BMW vereinbaren eine Partnerschaft mit Alibaba." in article.text
    assert not any(c in article.text for c in "\u00ad\u200d\u200b\u202e\x1b\u2066\u2069")
    from graphkit.extract import extract_article

    assert {"tencent", "bmw", "alibaba"} <= {e.id for e in extract_article(article).entities}


def test_ingest_reports_where_undecodable_bytes_start():
    with pytest.raises(InputError) as info:
        decode(b"head " + bytes(range(0x80, 0x100)) * 4, "bad.txt")
    assert "bad.txt: cannot decode" in str(info.value) and "offset 5" in str(info.value)


def test_ingest_mixed_utf8_and_legacy_lines_keep_both():
    data = (ZH.encode("utf-8") + b"\n" + (RU * 2).encode("cp1251") + b"\n" + ZH.encode("utf-8"))
    result = decode(data, "mixed.txt")
    assert result.text == "\n".join([ZH, RU * 2, ZH])
    assert "mixed" in result.encoding


def test_ingest_html_markup_that_trips_parsers_still_gives_the_text():
    page = ("<html><head><title>T &amp; A</title></head><body>"
            "<script>document.write('<script>x</scr' + 'ipt><p>hidden</p>');</script>"
            "<p>BMW und Alibaba vereinbaren eine Partnerschaft.</p>"
            "<p>a < b, Tencent &#x4e0e; GAC</p><![foo[ bar ]]><br/>"
            + '<a href="' * 300 + "<!-- never closed <p>gone</p>")
    article = articles_from_bytes(page.encode("utf-8"), "p.html", ".html", "p")[0]
    assert "BMW und Alibaba vereinbaren eine Partnerschaft." in article.text
    assert "a < b, Tencent 与 GAC" in article.text
    assert "hidden" not in article.text and "gone" not in article.text
    assert article.title == "T & A"
