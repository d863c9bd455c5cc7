"""The demo data itself, before any database: identifiers, codes, dictionaries, bundles."""

from __future__ import annotations

import re

import pytest

from onewindow.common.identifiers import resident_id_error, uscc_error
from onewindow.demo.data import org
from onewindow.demo.data.build import F, all_items, build_catalog, build_steps
from onewindow.demo.data.bundles import BUNDLES
from onewindow.demo.data.codes import org_code, resident_id, uscc

AREA = "500102000000"
CODE = re.compile(r"^\d{12}-\d{12}-000-[0-9A-HJ-NPQRTUWXY]{18}-1-00$")


@pytest.fixture(scope="module")
def catalog():
    return build_catalog(AREA)


def test_generated_identifiers_pass_the_platforms_checks():
    assert resident_id_error(resident_id("500102", "19850615", "013")) is None
    assert uscc_error(uscc("91", "500102", "MA60R2K7")) is None
    for d in org.DEPARTMENTS:
        assert uscc_error(d.uscc) is None, d.name
        assert d.uscc.startswith("11500102")  # 机构编制 · 机关 · the district
    assert resident_id_error(org.ZHANGSAN_ID) is None
    assert resident_id_error(org.QIANQI_ID) is None
    assert org.ZHANGSAN_ID[16] in "13579"  # 张三 is a man
    assert org.QIANQI_ID[16] in "02468"


def test_organisation_code_check_character_follows_gb_11714():
    # Weights 3 7 9 10 5 8 4 2; check = 11 - sum mod 11, 10 → X, 11 → 0.
    assert org_code("D2143569") == "D2143569X"  # the standard's own example
    assert org_code("00000000") == "000000000"
    assert org_code("10000000") == "100000008"
    assert org_code("00010000") == "000100001"


def test_items_have_unique_gb_t_39554_codes_and_names(catalog):
    items = catalog["items"]
    assert 150 <= len(items) <= 220
    codes = [i["code"] for i in items]
    assert len(set(codes)) == len(codes)
    assert all(CODE.match(c) for c in codes), [c for c in codes if not CODE.match(c)]
    assert all(i["code"].split("-")[1] == AREA for i in items)
    names = [(i["department"], i["name"]) for i in items]
    assert len(set(names)) == len(names)


def test_every_item_cites_a_law_and_has_conditions(catalog):
    for item in catalog["items"]:
        assert re.search(r"《[^》]+》", item["legal_basis"]), item["name"]
        assert len(item["conditions"]) >= 20, item["name"]
        assert item["consult_phone"].startswith("023-")


def test_dictionaries_hold_nothing_unused(catalog):
    used_materials = {m["type"] for i in catalog["items"] for m in i["materials"]}
    assert {m["code"] for m in catalog["material_types"]} == used_materials
    used_fields = {f["field"] for i in catalog["items"] for f in i["fields"]}
    assert {f["code"] for f in catalog["fields"]} == used_fields
    used_themes = {t for i in catalog["items"] for t in i["themes"]}
    assert {t["code"] for t in catalog["themes"]} == used_themes


def test_e_licence_materials_are_those_an_e_licence_can_replace(catalog):
    licence = {m["code"]: m["licence_type_code"] for m in catalog["material_types"]}
    for item in catalog["items"]:
        for m in item["materials"]:
            if m["source"] == "elicence":
                assert licence[m["type"]], (item["name"], m["type"])
                assert m["originals"] == m["copies"] == 0


def test_a_filing_cannot_be_given_approval_steps():
    filing = F("SCJGJ", "测试备案", 5, 1, "《测试法》", steps="ordinary")
    with pytest.raises(ValueError, match="filing"):
        build_steps(filing)


def test_bundles_name_existing_items_of_several_departments():
    by_name = {i.name: i for i in all_items()}
    assert len(BUNDLES) == 8
    for bundle in BUNDLES:
        missing = [n for n in bundle.items if n not in by_name]
        assert missing == [], bundle.name
        assert len({by_name[n].dept for n in bundle.items}) >= 2, bundle.name
    repair = next(b for b in BUNDLES if b.name == "我要开汽车维修店")
    assert repair.before == {"visits": 8, "materials": 20, "days": 31}
    assert len(repair.items) == repair.before["visits"]  # one visit per item before
