"""Rollups from two hand-made bureaus: figures written out, and nothing personal in the public schema."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from apps.province.models import AnnualRollup, HealthRollup, MonthlyRollup, PublishedHash, StandardRollup
from apps.province.services import RollupRefused, bureau_rollup_write
from tests import factories as f

pytestmark = pytest.mark.django_db


def _zhongshan():
    """2 dibao households (3 and 2 members) from 2024-01, one 特困 person from 2024-06, one death in 2024."""
    a = [f.person() for _ in range(3)]
    b = [f.person() for _ in range(2)]
    f.entitlement(
        programme="dibao",
        household=f.household(*a),
        start_period=datetime.date(2024, 1, 1),
        per_capita_income=Decimal("0"),
        covered_members=3,
    )
    f.entitlement(
        programme="dibao",
        household=f.household(*b),
        start_period=datetime.date(2024, 1, 1),
        per_capita_income=Decimal("0"),
        covered_members=2,
    )
    t = f.person(birth_date=datetime.date(1950, 3, 1))
    f.entitlement(programme="tekun", person=t, start_period=datetime.date(2024, 6, 1), care_level="self_care")
    f.person(status="deceased", date_of_death=datetime.date(2024, 8, 9))
    return a + b + [t]


def _guangzhou():
    """1 dibao household of 4 members from 2024-03."""
    members = [f.person(area_code="440104") for _ in range(4)]
    f.entitlement(
        programme="dibao",
        household=f.household(*members),
        start_period=datetime.date(2024, 3, 1),
        per_capita_income=Decimal("100"),
        covered_members=4,
    )
    return members


def _monthly(schema, period, programme, key):
    return MonthlyRollup.objects.get(bureau__schema_name=schema, period=period, programme=programme, key=key).value


def test_rollup_of_two_bureaus_with_figures_written_out(figures, rollup):
    with schema_context("zhongshan"):
        zs_people = _zhongshan()
    with schema_context("guangzhou"):
        gz_people = _guangzhou()
    zs = rollup("zhongshan")
    gz = rollup("guangzhou")
    assert zs["failed"] == [] and gz["failed"] == []

    dec = datetime.date(2024, 12, 1)
    assert _monthly("zhongshan", dec, "dibao", "households_active") == Decimal("2")
    assert _monthly("zhongshan", dec, "dibao", "persons_active") == Decimal("5")
    assert _monthly("zhongshan", dec, "tekun", "persons_active") == Decimal("1")
    assert not MonthlyRollup.objects.filter(
        bureau__schema_name="zhongshan", period=datetime.date(2024, 5, 1), programme="tekun"
    ).exists()
    assert _monthly("guangzhou", dec, "dibao", "persons_active") == Decimal("4")
    assert not MonthlyRollup.objects.filter(bureau__schema_name="guangzhou", period=datetime.date(2024, 2, 1)).exists()
    # The window is 24 months back from December 2024.
    periods = MonthlyRollup.objects.filter(bureau__schema_name="zhongshan").values_list("period", flat=True)
    assert min(periods) == datetime.date(2024, 1, 1) and max(periods) == dec

    assert (
        AnnualRollup.objects.get(bureau__schema_name="zhongshan", year=2024, key="burial.deaths_registered").value == 1
    )
    assert (
        AnnualRollup.objects.get(bureau__schema_name="guangzhou", year=2024, key="burial.deaths_registered").value == 0
    )

    standards = {
        (s.programme, s.variant): s.monthly_amount
        for s in StandardRollup.objects.filter(bureau__schema_name="zhongshan")
    }
    assert standards[("dibao", "unified")] == Decimal("1225.00")
    assert StandardRollup.objects.get(bureau__schema_name="guangzhou", programme="dibao").monthly_amount == Decimal(
        "1282.00"
    )

    # Hashes: 5 dibao members + 1 特困 in 中山; 4 in 广州.
    assert PublishedHash.objects.filter(bureau__schema_name="zhongshan").count() == 6
    assert PublishedHash.objects.filter(bureau__schema_name="guangzhou", programme="dibao").count() == 4
    assert HealthRollup.objects.get(bureau__schema_name="zhongshan", key="run.lines").value == 0

    # A second rollup replaces, never adds.
    rollup("zhongshan")
    assert _monthly("zhongshan", dec, "dibao", "persons_active") == Decimal("5")
    assert PublishedHash.objects.filter(bureau__schema_name="zhongshan").count() == 6

    _assert_nothing_personal_in_public(zs_people + gz_people)


def _assert_nothing_personal_in_public(people):
    """Scan every table of the public schema for the people's ID numbers, names and tenant row ids."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        assert "province_monthlyrollup" in tables and "province_publishedhash" in tables
        for person in people:
            for needle in (person.id_number, person.name):
                for table in tables:
                    cursor.execute(f'SELECT count(*) FROM public."{table}" AS t WHERE t::text LIKE %s', [f"%{needle}%"])
                    assert cursor.fetchone()[0] == 0, f"{needle} found in public.{table}"


def test_a_contributor_returning_text_is_refused(settings, rollup):
    settings.ROLLUP_CONTRIBUTORS = [*settings.ROLLUP_CONTRIBUTORS, "tests.province.test_rollups.leaky"]
    with pytest.raises(RollupRefused):
        rollup("zhongshan")
    assert not StandardRollup.objects.filter(bureau__schema_name="zhongshan").exists()


def leaky(*, today):
    return {"health": {"oops": "张三 440104198001010011"}}


def test_nightly_step_writes_the_rollup(in_bureau, figures):
    from apps.province.nightly import rollup_step

    with in_bureau("haifeng"):
        result = rollup_step(today=datetime.date(2024, 12, 15))
        assert connection.schema_name == "haifeng"  # the runner goes on in the bureau's schema
    assert result["bureau"] == "haifeng"
    assert StandardRollup.objects.filter(bureau__schema_name="haifeng", programme="dibao").exists()


def test_rollup_refuses_the_province_itself():
    from tenants.models import Bureau

    with pytest.raises(Bureau.DoesNotExist):
        bureau_rollup_write(schema_name="public")


def test_stats_table_is_the_latest_month_or_one_bureau_over_two_years(figures, rollup):
    from apps.province import selectors

    with schema_context("zhongshan"):
        _zhongshan()
    rollup("zhongshan")
    rows = selectors.stats()
    assert {r["period"] for r in rows} == {"2024-12"}
    assert {(r["programme"], r["persons_active"]) for r in rows} == {("dibao", Decimal("5")), ("tekun", Decimal("1"))}
    months = {r["period"] for r in selectors.stats(bureau="zhongshan")}
    assert min(months) == "2024-01" and max(months) == "2024-12" and len(months) == 12


def test_a_second_rollup_rewrites_only_the_hashes_that_changed(figures, rollup):
    """Hashes are diffed, not deleted and rewritten: an unchanged bureau's rows stay as they are (same
    ids), a stopped entitlement's hashes go, a new one's come."""
    with schema_context("zhongshan"):
        _zhongshan()  # 5 dibao members and one 特困 person: 6 hashes
    rollup("zhongshan")
    before = dict(PublishedHash.objects.filter(bureau__schema_name="zhongshan").values_list("person_hash", "id"))
    assert len(before) == 6
    rollup("zhongshan")
    assert dict(PublishedHash.objects.filter(bureau__schema_name="zhongshan").values_list("person_hash", "id")) == before

    with schema_context("zhongshan"):
        from apps.benefits.models import Entitlement

        # The 特困 person's entitlement ended in November: not active in December.
        Entitlement.objects.filter(programme_id="tekun").update(
            status="stopped", end_period=datetime.date(2024, 11, 1)
        )
        orphan = f.person(birth_date=datetime.date(2015, 5, 1))
        f.entitlement(programme="orphan", person=orphan, start_period=datetime.date(2024, 12, 1))
    rollup("zhongshan")
    after = dict(PublishedHash.objects.filter(bureau__schema_name="zhongshan").values_list("person_hash", "id"))
    kept = set(before) & set(after)
    assert len(kept) == 5 and len(after) == 6
    assert {h: after[h] for h in kept} == {h: before[h] for h in kept}  # untouched rows
    assert PublishedHash.objects.filter(bureau__schema_name="zhongshan", programme="orphan").count() == 1
    assert not PublishedHash.objects.filter(bureau__schema_name="zhongshan", programme="tekun").exists()


def test_only_the_indicator_figures_cross_to_the_province(figures, settings, rollup):
    """Of the annual figures the province shows social organisations and burial: benefits' own figures
    (a caseload over every entitlement) are not asked for them."""
    settings.ANNUAL_FIGURES = ["apps.benefits.figures.annual_figures", "tests.province.figures.annual"]
    with schema_context("zhongshan"):
        _zhongshan()
    result = rollup("zhongshan")
    assert result["failed"] == []
    keys = set(AnnualRollup.objects.filter(bureau__schema_name="zhongshan").values_list("key", flat=True))
    assert "burial.deaths_registered" in keys
    assert not {k for k in keys if not k.startswith(("burial.", "socialorgs.", "fidelity."))}
