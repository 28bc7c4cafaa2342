"""payment_run_generate: a month of hand-made entitlements and grants, once and only once."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.disbursement.generation import payment_run_generate
from apps.disbursement.models import PaymentLine, PaymentRun
from apps.disbursement.services import payment_run_approve, payment_run_create, payment_run_monthly
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2023, 6, 1)


def haifeng_month():
    """Six paying sources in 海丰, June 2023, and four that must not pay."""
    from apps.benefits.models import Grant

    rural = [f.person(hukou_class="rural") for _ in range(3)]
    made = {
        "dibao_rural": entitlement(programme="dibao", household=f.household(*rural, hukou_class="rural"),
                                     variant="rural", per_capita_income=Decimal("200"), covered_members=3),
        "dibao_urban": entitlement(programme="dibao", household=f.household(f.person(), f.person()),
                                     variant="urban", per_capita_income=Decimal("461"), covered_members=2,
                                     addon_members=1),
        "tekun": entitlement(programme="tekun", person=f.person(), variant="urban"),
        "orphan": entitlement(programme="orphan", person=f.person(), variant="scattered"),
        "nursing": entitlement(programme="disability_nursing", person=f.person()),
        # Not paying in June 2023:
        "stopped": entitlement(programme="disability_nursing", person=f.person(), status="stopped"),
        "ended": entitlement(programme="disability_nursing", person=f.person(), end_period=datetime.date(2023, 5, 1)),
        "future": entitlement(programme="disability_nursing", person=f.person(), start_period=datetime.date(2023, 7, 1)),
        "marginal": entitlement(programme="dibao_marginal", household=f.household(f.person()), variant="urban"),
    }
    payee = f.person()
    made["grant"] = Grant.objects.create(programme_id="temporary", person=payee, payee_person=payee,
                                         amount=Decimal("500.00"), period=datetime.date(2023, 5, 1))
    made["cancelled_grant"] = Grant.objects.create(programme_id="temporary", person=payee, payee_person=payee,
                                                   amount=Decimal("80.00"), period=datetime.date(2023, 5, 1),
                                                   status="cancelled")
    return made


def lines_by_source(run):
    out = {}
    for line in PaymentLine.objects.filter(run=run):
        out[line.entitlement_id or f"grant{line.grant_id}"] = line.amount
    return out


def test_a_month_of_hand_made_entitlements(in_bureau):
    with in_bureau("haifeng"):
        made = haifeng_month()
        run = payment_run_monthly(period=JUNE)
        got = lines_by_source(run)
    assert got == {
        made["dibao_rural"].pk: Decimal("1596.00"),   # (732 − 200) × 3
        made["dibao_urban"].pk: Decimal("1288.30"),   # (961 − 461) × 2 + round(0.30 × 961, 2) = 1000 + 288.30
        made["tekun"].pk: Decimal("1538.00"),
        made["orphan"].pk: Decimal("1359.00"),
        made["nursing"].pk: Decimal("261.00"),
        f"grant{made['grant'].pk}": Decimal("500.00"),
    }
    assert run.status == PaymentRun.Status.GENERATED
    assert run.line_count == 6
    assert run.total_amount == Decimal("6542.30")
    assert run.lines_done == run.lines_total == 6
    assert run.detail["regular_lines"] == 5 and run.detail["grant_lines"] == 1


def test_snapshot_of_payee_and_town(in_bureau):
    with in_bureau("haifeng"):
        person = f.person(name="王五", bank_account="6222000011112222", bank_name="农村信用社")
        e = entitlement(programme="disability_nursing", person=person)
        run = payment_run_monthly(period=JUNE)
        line = PaymentLine.objects.get(run=run, entitlement=e)
    assert (line.payee_name, line.id_number, line.bank_account, line.bank_name, line.town_id) == (
        "王五", person.id_number, "6222000011112222", "农村信用社", person.town_id)
    assert (line.line_type, line.key_ref, line.period, line.status) == ("regular", e.pk, JUNE, "pending")


def test_a_rerun_adds_nothing(in_bureau):
    with in_bureau("haifeng"):
        haifeng_month()
        first = payment_run_monthly(period=JUNE)
        again = payment_run_generate(run=first)          # refresh of the generated run
        same = payment_run_monthly(period=JUNE)           # the monthly task delivered twice
        off_cycle, _ = payment_run_create(period=JUNE, kind="off_cycle")
        off_cycle = payment_run_generate(run=off_cycle)   # another run of the same month
        july = payment_run_monthly(period=datetime.date(2023, 7, 1))
        total_lines = PaymentLine.objects.filter(period=JUNE).count()
        grant_lines = PaymentLine.objects.filter(line_type="grant").count()
    assert (again.pk, same.pk) == (first.pk, first.pk)
    assert again.line_count == 6 and again.total_amount == Decimal("6542.30")
    assert off_cycle.line_count == 0
    assert total_lines == 5            # one regular line per entitlement-month
    assert grant_lines == 1            # the grant is never picked up again, in July either
    assert july.line_count == 6        # and the entitlement starting in July


def test_a_refresh_checks_every_key_at_once_and_generates_only_the_chunks_missing_one(in_bureau):
    """A refresh plans its chunks with one anti-join over every key: the chunks whose entitlements all
    have their line are done as planned, the chunk holding a new entitlement is generated as usual."""
    from apps.disbursement.models import GenerationChunk

    with in_bureau("haifeng"):
        haifeng_month()
        run, _ = payment_run_create(period=JUNE)
        first = payment_run_generate(run=run, chunk_size=2)
        newcomer = entitlement(programme="tekun", person=f.person(), variant="urban")
        # 海丰's rural dibao standard is below an income of 5,000.00 a head: an amount of 0.00, no line.
        zero = entitlement(programme="dibao", household=f.household(f.person(hukou_class="rural"), hukou_class="rural"),
                           variant="rural", per_capita_income=Decimal("5000"), covered_members=1)
        again = payment_run_generate(run=first, chunk_size=2)
        chunks = list(GenerationChunk.objects.filter(run=run, round=2, part="regular").order_by("low"))
        new_line = PaymentLine.objects.get(run=run, key_ref=newcomer.pk)
    assert again.status == PaymentRun.Status.GENERATED
    assert again.line_count == first.line_count + 1
    assert again.total_amount == first.total_amount + new_line.amount
    assert again.detail["regular_lines"] == 1 and again.detail["entitlements"] == first.detail["entitlements"] + 2
    assert again.detail["zero_amount"] == first.detail["zero_amount"] + 1
    generated = [chunk for chunk in chunks if chunk.figures["regular_lines"]]
    assert [(chunk.low <= newcomer.pk <= chunk.high) for chunk in generated] == [True]
    assert all(chunk.done for chunk in chunks) and len(chunks) >= 5
    # The chunks whose entitlements all have their line were done together, as planned, not one by one.
    complete = [chunk for chunk in chunks if not chunk.low <= newcomer.pk <= chunk.high
                and not chunk.low <= zero.pk <= chunk.high]
    assert len(complete) >= 3 and len({chunk.done_at for chunk in complete}) == 1


def test_small_chunks_give_the_same_lines(in_bureau):
    with in_bureau("haifeng"):
        haifeng_month()
        run, _ = payment_run_create(period=JUNE)
        run = payment_run_generate(run=run, chunk_size=2)
    assert (run.line_count, run.total_amount) == (6, Decimal("6542.30"))
    assert run.detail["chunks"] >= 5


def test_a_crashed_run_resumes_without_duplicates(in_bureau):
    with in_bureau("haifeng"):
        haifeng_month()
        run, _ = payment_run_create(period=JUNE)
        chunks = []

        def crash_after_two(progress):
            chunks.append(progress)
            if len(chunks) == 2:
                raise RuntimeError("worker lost")

        with pytest.raises(RuntimeError):
            payment_run_generate(run=run, chunk_size=3, report=crash_after_two)
        crashed = PaymentRun.objects.get(pk=run.pk)
        kept = PaymentLine.objects.filter(run=run).count()
        resumed = payment_run_generate(run=crashed, chunk_size=3)
        keys = list(PaymentLine.objects.filter(run=run).values_list("key_ref", "line_type"))
    assert crashed.status == PaymentRun.Status.FAILED and "worker lost" in crashed.error
    assert 0 < kept < 6
    assert resumed.status == PaymentRun.Status.GENERATED and resumed.detail["resumed"] is True
    assert (resumed.line_count, resumed.total_amount) == (6, Decimal("6542.30"))
    assert len(keys) == len(set(keys)) == 6


def test_the_database_refuses_a_second_line_for_a_key(in_bureau):
    with in_bureau("haifeng"):
        e = entitlement(programme="disability_nursing", person=f.person())
        run = payment_run_monthly(period=JUNE)
        line = PaymentLine.objects.get(run=run)
        line.pk = None
        with pytest.raises(IntegrityError), transaction.atomic():
            line.save()
    assert e.pk == line.key_ref


def test_an_approved_run_is_not_generated_again(in_bureau, users):
    with in_bureau("haifeng"):
        entitlement(programme="disability_nursing", person=f.person())
        run = payment_run_monthly(period=JUNE)
        run = payment_run_approve(run=run, user=users("haifeng").approver)
        with pytest.raises(ValidationError) as error:
            payment_run_generate(run=run)
    assert "approved" in str(error.value)


def test_one_regular_run_per_month(in_bureau):
    with in_bureau("haifeng"):
        first, created = payment_run_create(period=JUNE)
        second, created_again = payment_run_create(period=JUNE)
        with pytest.raises(IntegrityError), transaction.atomic():
            PaymentRun.objects.create(period=JUNE, kind="regular")
    assert created and not created_again and first.pk == second.pk


def test_a_period_is_a_month(in_bureau):
    with in_bureau("haifeng"), pytest.raises(ValidationError):
        payment_run_create(period=datetime.date(2023, 6, 15))
