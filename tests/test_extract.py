"""Extraction: argument roles, direction, negation, resolution across scripts."""

from __future__ import annotations

import pytest

from graphkit.extract import extract_article
from graphkit.ingest import articles_from_bytes


def _facts(text: str, stem: str = "t"):
    article = articles_from_bytes(text.encode("utf-8"), f"{stem}.txt", ".txt", stem)[0]
    x = extract_article(article)
    names = {e.id: e.name for e in x.entities}
    return {(r.type.value, names[r.head], names[r.tail]) for r in x.relations}, x


def _pairs(facts, rtype="PARTNERS_WITH"):
    return {frozenset((h, t)) for k, h, t in facts if k == rtype}


def test_extract_list_partners_pair_with_subject_only():
    facts, _ = _facts("目前，腾讯已经与宝马、奔驰、奥迪等20家车企达成合作。")
    assert _pairs(facts) == {frozenset(p) for p in [("Tencent", "BMW"), ("Tencent", "Mercedes-Benz"), ("Tencent", "Audi")]}


def test_extract_german_joint_group_pairs_across_connector():
    facts, _ = _facts("Audi und FAW-Volkswagen haben gemeinsam mit Alibaba und Tencent Absichtserklärungen unterzeichnet.")
    assert _pairs(facts) == {frozenset(p) for p in [
        ("Audi", "Alibaba"), ("Audi", "Tencent"), ("FAW-Volkswagen", "Alibaba"), ("FAW-Volkswagen", "Tencent")]}


@pytest.mark.parametrize("text", [
    "Xiaomi and Great Wall Motor are said to be in talks about a partnership.",
    "据传，华为正在与东风洽谈合作。",
    "Daimler verhandelt mit Geely über eine Kooperation.",
    "КамАЗ опроверг слухи о сотрудничестве с Яндексом.",
])
def test_extract_talks_and_rumours_are_not_partnerships(text):
    facts, _ = _facts(text)
    assert not _pairs(facts)


def test_extract_deploys_on_has_direction_and_operator():
    facts, _ = _facts("飞驰镁物已将汽车网联云平台CLOUDMove部署在由21世纪互联运营的微软云平台上。")
    assert ("DEPLOYS_ON", "CLOUDMove", "Azure") in facts
    assert ("OPERATES", "21Vianet", "Azure") in facts
    assert not any(k == "DEPLOYS_ON" and h == "Azure" for k, h, _ in facts)


def test_extract_structural_relations_in_several_languages():
    facts, _ = _facts("Xiaopeng Motors cooperated with Haima Automobile, a subsidiary of Chinese automaker FAW Group, to build cars.")
    assert ("SUBSIDIARY_OF", "Haima Automobile", "FAW") in facts
    assert _pairs(facts) == {frozenset(("Xpeng", "Haima Automobile"))}
    facts, _ = _facts("Die Partnerschaft geht auf 2018 zurück, als BMW Alibabas Sprachassistenten Tmall Genie vorstellte.")
    assert ("PRODUCT_OF", "Tmall Genie", "Alibaba") in facts
    facts, _ = _facts("2018年9月16日，东风汽车集团的子公司东风柳汽与腾讯车联签订了合作协议。")
    assert ("SUBSIDIARY_OF", "Dongfeng Liuzhou Motor", "Dongfeng Motor") in facts
    assert _pairs(facts) == {frozenset(("Dongfeng Liuzhou Motor", "Tencent Connected Car"))}


def test_extract_investments_keep_direction():
    facts, _ = _facts("Both Tencent and Baidu have also invested in Nio, while Baidu has backed WM Motor Technology.")
    invests = {(h, t) for k, h, t in facts if k == "INVESTS_IN"}
    assert invests == {("Tencent", "NIO"), ("Baidu", "NIO"), ("Baidu", "WM Motor")}


def test_extract_incubator_founders():
    facts, _ = _facts("宝马与阿里巴巴共同创立的“阿里云创新中心-宝马初创车库联合创新基地”在上海落户，孵化初创企业。")
    incubates = {h for k, h, t in facts if k == "INCUBATES"}
    assert incubates == {"BMW", "Alibaba"}
    assert frozenset(("BMW", "Alibaba")) in _pairs(facts)


@pytest.mark.parametrize("text", [
    "宝马与阿里巴巴达成战略合作。",
    "寶馬與阿里巴巴達成戰略合作。",
    "BMW und Alibaba vereinbaren eine strategische Partnerschaft.",
    "БМВ и «Алибаба» подписали соглашение о сотрудничестве.",
    "BMW signed a partnership agreement with Alibaba.",
])
def test_extract_resolves_names_across_scripts_to_one_id(text):
    facts, x = _facts(text)
    ids = {e.id for e in x.entities}
    assert {"bmw", "alibaba"} <= ids
    assert _pairs(facts) == {frozenset(("BMW", "Alibaba"))}


def test_extract_mentions_keep_surface_forms_and_offsets():
    text = "Яндекс и Hyundai Mobis договорились о сотрудничестве. Hyundai Mobis доверяет Яндексу."
    _, x = _facts(text)
    yandex = next(e for e in x.entities if e.id == "yandex")
    assert set(yandex.mentions) == {"Яндекс", "Яндексу"}
    assert all(text[s:e] in yandex.mentions for s, e in yandex.spans)
