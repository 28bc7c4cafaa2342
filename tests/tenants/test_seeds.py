"""The seeds files: valid against the schema, and carrying the numbers SPEC §2 and §4 quote."""

import datetime
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

import pytest

from tenants.seeds import BUREAU_SCHEMAS, SEEDS_DIR, SeedError, load_all, load_seed

SOURCES = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.fixture(scope="module")
def seeds():
    return {seed.schema: seed for seed in load_all()}


def standard(seed, programme, variant, on):
    """The amount in force on `on` — the latest effective on or before that day."""
    rows = [s for s in seed.data["standards"]
            if s["programme"] == programme and s["variant"] == variant and s["effective_from"] <= on]
    assert rows, f"{seed.schema}: no {programme}/{variant} standard on {on}"
    row = max(rows, key=lambda s: s["effective_from"])
    return row["amount"], row["unit"]


def test_every_bureau_has_a_valid_file(seeds):
    assert sorted(seeds) == sorted(BUREAU_SCHEMAS)
    for seed in seeds.values():
        assert seed.data["towns"], seed.schema
        assert seed.data["statistics"], seed.schema


@pytest.mark.parametrize(
    "schema, programme, variant, on, amount, unit",
    [
        ("zhongshan", "dibao", "unified", "2024-12-01", "1225", "month"),
        ("zhongshan", "tekun", "unified", "2024-12-01", "1960", "month"),
        ("guangzhou", "dibao", "unified", "2024-12-01", "1282", "month"),
        ("guangzhou", "orphan", "scattered", "2024-12-01", "2976", "month"),
        ("haifeng", "dibao", "urban", "2022-06-01", "924", "month"),
        ("haifeng", "dibao", "urban", "2023-06-01", "961", "month"),
        ("haifeng", "dibao", "rural", "2022-06-01", "684", "month"),
        ("haifeng", "dibao", "rural", "2023-06-01", "732", "month"),
        ("haifeng", "tekun", "urban", "2022-06-01", "1479", "month"),
        ("haifeng", "tekun", "urban", "2023-06-01", "1538", "month"),
        ("haifeng", "tekun", "rural", "2022-06-01", "1095", "month"),
        ("haifeng", "tekun", "rural", "2023-06-01", "1172", "month"),
        ("nanshan", "dibao", "unified", "2023-06-01", "1413", "month"),
        ("xcity", "dibao", "urban", "2024-06-01", "728", "month"),
        ("xcity", "dibao", "urban", "2024-07-01", "735", "month"),
        ("xcity", "dibao", "rural", "2024-06-01", "6188", "year"),
        ("xcity", "dibao", "rural", "2024-07-01", "6431", "year"),
    ],
)
def test_spec_worked_standards(seeds, schema, programme, variant, on, amount, unit):
    got_amount, got_unit = standard(seeds[schema], programme, variant, datetime.date.fromisoformat(on))
    assert (got_amount, got_unit) == (Decimal(amount), unit)


def test_xcity_raise_is_dated_july_2024(seeds):
    raise_ = [s for s in seeds["xcity"].data["standards"]
              if s["programme"] == "dibao" and s["amount"] in (Decimal("735"), Decimal("6431"))]
    assert {s["effective_from"] for s in raise_} == {datetime.date(2024, 7, 1)}
    assert not any(s.get("date_assumed") for s in raise_)


def test_year_only_dates_are_january_first_and_marked(seeds):
    zhongshan_dibao = [s for s in seeds["zhongshan"].data["standards"] if s["programme"] == "dibao"]
    assert any(s["effective_from"] == datetime.date(2024, 1, 1) and s["date_assumed"] for s in zhongshan_dibao)


@pytest.mark.parametrize(
    "schema, tekun_variant, dibao_variant, on, expected",
    [
        ("zhongshan", "unified", "unified", "2024-12-01", "1960"),  # 1225 × 1.6 = 1960
        ("haifeng", "urban", "urban", "2023-06-01", "1538"),        # 961 × 1.6 = 1537.6 → 1538
        ("haifeng", "rural", "rural", "2023-06-01", "1172"),        # 732 × 1.6 = 1171.2 → 1172
    ],
)
def test_reported_tekun_standards_follow_the_multiplier_rule(seeds, schema, tekun_variant, dibao_variant, on, expected):
    seed = seeds[schema]
    on = datetime.date.fromisoformat(on)
    dibao, _ = standard(seed, "dibao", dibao_variant, on)
    multiplier = Decimal(seed.bureau["tekun_multiplier"])
    assert (dibao * multiplier).to_integral_value(ROUND_CEILING) == Decimal(expected)
    assert standard(seed, "tekun", tekun_variant, on)[0] == Decimal(expected)


def test_xcity_multiplier_gives_956(seeds):
    xcity = seeds["xcity"]
    dibao, _ = standard(xcity, "dibao", "urban", datetime.date(2024, 7, 1))
    assert (dibao * Decimal(xcity.bureau["tekun_multiplier"])).to_integral_value(ROUND_CEILING) == Decimal("956")


def test_statistics_from_the_reports(seeds):
    assert seeds["zhongshan"].statistic("dibao_households") == Decimal("3469")
    assert seeds["zhongshan"].statistic("dibao_persons") == Decimal("6444")
    assert seeds["zhongshan"].statistic("tekun_persons") == Decimal("1186")
    assert seeds["zhongshan"].statistic("annual_report_rate") == Decimal("92.80")
    assert seeds["zhongshan"].statistic("abnormal_list_count") == Decimal("241")


@pytest.mark.skipif(not SOURCES.is_dir(), reason="the source reports (../shared/seeds) are not beside the repo")
def test_every_source_phrase_is_in_its_report(seeds):
    texts = {p.name: p.read_text(encoding="utf-8") for p in SOURCES.glob("*.txt")}
    missing = []
    for seed in seeds.values():
        items = seed.data["towns"] + seed.data["standards"] + seed.data["statistics"]
        for item in items:
            source = item["source"]
            if item.get("source_kind", "report") == "report" and source["phrase"]:
                if source["phrase"] not in texts.get(source["file"], ""):
                    missing.append(f"{seed.schema}: {source['file']}: {source['phrase']}")
    assert not missing, "\n".join(missing)


# --------------------------------------------------------------------------- bad files


def _broken(tmp_path, edit) -> Path:
    text = (SEEDS_DIR / "haifeng.yaml").read_text(encoding="utf-8")
    path = tmp_path / "haifeng.yaml"
    path.write_text(edit(text), encoding="utf-8")
    return path


def test_missing_effective_date_names_file_and_field(tmp_path):
    import yaml

    def drop_date(text):
        data = yaml.safe_load(text)
        del data["standards"][0]["effective_from"]
        return yaml.safe_dump(data, allow_unicode=True)

    with pytest.raises(SeedError) as err:
        load_seed(_broken(tmp_path, drop_date))
    assert "haifeng.yaml: standards[0]: 'effective_from' is missing" in str(err.value)


def test_negative_amount_names_file_and_field(tmp_path):
    import yaml

    def negate(text):
        data = yaml.safe_load(text)
        data["standards"][1]["amount"] = "-961.00"
        return yaml.safe_dump(data, allow_unicode=True)

    with pytest.raises(SeedError) as err:
        load_seed(_broken(tmp_path, negate))
    assert "haifeng.yaml: standards[1].amount: '-961.00' is not a non-negative decimal amount" in str(err.value)


def test_duplicate_standard_is_refused(tmp_path):
    import yaml

    def duplicate(text):
        data = yaml.safe_load(text)
        data["standards"].append(dict(data["standards"][0]))
        return yaml.safe_dump(data, allow_unicode=True)

    with pytest.raises(SeedError, match="a second standard for"):
        load_seed(_broken(tmp_path, duplicate))
