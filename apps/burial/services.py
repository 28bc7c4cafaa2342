"""Writes of burial: death records and what a death sets off, fee waivers, eco-burial subsidies, plot sales.

A death of a registered person is a life event (SPEC §3): the person is marked deceased (people
services) and the benefits services end every entitlement after the month of death and recompute the
household's dibao, at once, in the same transaction. Cancelling unsent lines of later months and
listing paid ones for recovery is the disbursement's own step, reached by a Celery task sent by name
after the commit (and by the nightly run should the message be lost): burial never imports it.
"""

from __future__ import annotations

import datetime

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.benefits import services as benefits
from apps.benefits.rules import first_of_month
from apps.core.idcard import parse_id_number
from apps.core.money import money_input
from apps.core.permissions import SYSTEM, recorded_user, require_permission
from apps.people import services as people
from apps.people.models import Person

from . import rules
from .models import (
    ECO_DISPOSITIONS,
    Cemetery,
    DeathRecord,
    Disposition,
    EcoBurialRate,
    EcoBurialSubsidy,
    FeeItem,
    FeeWaiver,
    FeeWaiverItem,
    PlotSale,
    WaiverPolicy,
)

# The disbursement task that cancels unsent lines no entitlement pays any more (sent by name: SPEC §3).
CANCEL_LINES_TASK = "disbursement.lines_cancel_ended"


def _source(record: DeathRecord) -> str:
    return f"burial.death:{record.pk}"


def _after_commit_cancel_lines() -> None:
    schema = connection.schema_name
    transaction.on_commit(lambda: current_app.send_task(CANCEL_LINES_TASK, headers={"_schema_name": schema}))


def _first_record_message(first: DeathRecord) -> ValidationError:
    return ValidationError(
        _("The death of %(name)s is already recorded: death record #%(id)s of %(date)s.")
        % {"name": first.name, "id": first.pk, "date": first.date_of_death.isoformat()}
    )


def _check_dates(
    *, date_of_death: datetime.date, cremated_on, exemption: str, today: datetime.date, birth_date: datetime.date | None
) -> None:
    errors = {}
    if date_of_death > today:
        errors["date_of_death"] = _("The date of death %(date)s is in the future.") % {"date": date_of_death}
    elif birth_date and date_of_death < birth_date:
        errors["date_of_death"] = _("The date of death %(death)s is before the birth date %(birth)s.") % {
            "death": date_of_death,
            "birth": birth_date,
        }
    if cremated_on and exemption:
        errors["exemption"] = _(
            "A cremated body is not exempt from cremation; give the cremation date or the exemption, not both."
        )
    if cremated_on and cremated_on < date_of_death:
        errors["cremated_on"] = _("The cremation date %(cremated)s is before the death %(death)s.") % {
            "cremated": cremated_on,
            "death": date_of_death,
        }
    if exemption and exemption not in DeathRecord.Exemption.values:
        errors["exemption"] = _("%(value)r is not a ground of exemption.") % {"value": exemption}
    if errors:
        raise ValidationError(errors)


def _apply_death(record: DeathRecord) -> None:
    """Mark the registered person deceased and let benefits end what the death ends."""
    person = record.person
    if person.status == Person.Status.DECEASED:
        people.person_death_correct(person=person, date_of_death=record.date_of_death)
    else:
        people.person_mark_deceased(person=person, date_of_death=record.date_of_death)
    # The consequences of a recorded death are the system's (the caseworker records the death, not
    # the benefit decisions); every history row names the record.
    record.benefits_effect = benefits.entitlements_end_for_death(
        person=person, date_of_death=record.date_of_death, source=_source(record), user=SYSTEM
    )


def _undo_death(record: DeathRecord, *, reason: str) -> None:
    benefits.entitlements_restore_after_death(
        effect=record.benefits_effect or {}, source=_source(record), user=SYSTEM, reason=reason
    )
    record.benefits_effect = {}


@transaction.atomic
def death_record_create(
    *,
    user,
    date_of_death,
    person: Person | None = None,
    name: str = "",
    id_number: str = "",
    local_hukou: bool = True,
    town=None,
    place_of_death: str = "",
    cause: str = DeathRecord.Cause.ILLNESS,
    funeral_home=None,
    cremated_on=None,
    exemption: str = "",
    disposition: str = "",
    today: datetime.date | None = None,
) -> DeathRecord:
    """Record a death; a registered person's benefits end after the month of death at once."""
    require_permission(user, "burial.add_deathrecord", what=_("record deaths"))
    today = today or timezone.localdate()
    id_number = (id_number or "").strip().upper()
    if person is None and id_number:
        facts = parse_id_number(id_number, today=today)  # validated like the registry
        id_number = facts.number
        person = Person.objects.filter(id_number=id_number).first()
    if person is not None:
        person = Person.objects.select_for_update().get(pk=person.pk)
        name, id_number, town, local_hukou = person.name, person.id_number, person.town, person.local_hukou
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the name of the deceased.")})
    if town is None:
        raise ValidationError({"town": _("Give the town of the deceased.")})
    if cause not in DeathRecord.Cause.values:
        raise ValidationError({"cause": _("%(value)r is not a cause category.") % {"value": cause}})
    if disposition and disposition not in Disposition.values:
        raise ValidationError({"disposition": _("%(value)r is not an ashes disposition.") % {"value": disposition}})
    if exemption and not disposition:
        disposition = Disposition.BURIAL
    _check_dates(
        date_of_death=date_of_death,
        cremated_on=cremated_on,
        exemption=exemption,
        today=today,
        birth_date=person.birth_date if person else None,
    )
    first = (
        DeathRecord.objects.filter(person=person).first()
        if person
        else DeathRecord.objects.filter(id_number=id_number).first()
        if id_number
        else None
    )
    if first:
        raise _first_record_message(first)
    record = DeathRecord(
        person=person,
        name=name[:50],
        id_number=id_number,
        local_hukou=local_hukou,
        town=town,
        date_of_death=date_of_death,
        place_of_death=(place_of_death or "")[:100],
        cause=cause,
        funeral_home=funeral_home,
        cremated_on=cremated_on,
        exemption=exemption or "",
        disposition=disposition or "",
        recorded_by=recorded_user(user),
    )
    record._history_user = recorded_user(user)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # a concurrent record of the same death won the race
        raise _first_record_message(
            DeathRecord.objects.filter(person=person).first()
            if person
            else DeathRecord.objects.get(id_number=id_number)
        ) from None
    if person is not None:
        _apply_death(record)
        record.save(update_fields=["benefits_effect"])
        _after_commit_cancel_lines()
    return record


@transaction.atomic
def death_record_correct_date(
    *, record: DeathRecord, date_of_death: datetime.date, user, reason: str, today: datetime.date | None = None
) -> DeathRecord:
    """A wrong date of death: what the old date set off is undone, then the new date applied."""
    require_permission(user, "burial.change_deathrecord", what=_("change death records"))
    record = DeathRecord.objects.select_for_update().get(pk=record.pk)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason.")})
    _check_dates(
        date_of_death=date_of_death,
        cremated_on=record.cremated_on,
        exemption=record.exemption,
        today=today or timezone.localdate(),
        birth_date=record.person.birth_date if record.person else None,
    )
    if record.person_id:
        _undo_death(record, reason=reason)
    record.date_of_death = date_of_death
    if record.person_id:
        record.person.refresh_from_db()
        _apply_death(record)
    record._history_user = recorded_user(user)
    record._change_reason = reason[:100]
    record.save(update_fields=["date_of_death", "benefits_effect"])
    if record.person_id:
        _after_commit_cancel_lines()
    return record


@transaction.atomic
def death_record_delete(*, record: DeathRecord, user, reason: str) -> None:
    """A record made in error: the person is alive again and every benefit it ended is restored."""
    require_permission(user, "burial.delete_deathrecord", what=_("delete death records"))
    record = DeathRecord.objects.select_for_update().get(pk=record.pk)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason.")})
    for model, label in (
        (FeeWaiver, _("a fee waiver")),
        (EcoBurialSubsidy, _("an eco-burial subsidy")),
        (PlotSale, _("a plot sale")),
    ):
        if model.objects.filter(death=record).exists():
            raise ValidationError(
                _("Death record #%(id)s has %(what)s; that must be undone first.") % {"id": record.pk, "what": label}
            )
    if record.person_id:
        _undo_death(record, reason=reason)
        people.person_death_correct(person=record.person, date_of_death=None)
        _after_commit_cancel_lines()
    record._history_user = recorded_user(user)
    record._change_reason = reason[:100]
    record.delete()


# --------------------------------------------------------------------------- fee waivers and subsidies


def _in_force(queryset, day: datetime.date):
    return queryset.filter(effective_from__lte=day).order_by("-effective_from").first()


@transaction.atomic
def fee_waiver_create(*, death: DeathRecord, items: list[dict], user, today: datetime.date | None = None) -> FeeWaiver:
    """Sum the items waived (each from the price list in force at the death, units capped per item),
    within the cap; the total becomes a grant payable to the funeral home (month of approval)."""
    require_permission(user, "burial.add_feewaiver", what=_("grant fee waivers"))
    today = today or timezone.localdate()
    death = DeathRecord.objects.select_for_update(of=("self",)).select_related("funeral_home").get(pk=death.pk)
    first = FeeWaiver.objects.filter(death=death).first()
    if first:
        raise ValidationError(
            _("Death record #%(death)s already has fee waiver #%(id)s.") % {"death": death.pk, "id": first.pk}
        )
    home = death.funeral_home
    if home is None:
        raise ValidationError({"funeral_home": _("The death record names no funeral home to reimburse.")})
    if not home.bank_account:
        raise ValidationError({"funeral_home": _("Funeral home %(name)s has no bank account.") % {"name": home.name}})
    policy = _in_force(WaiverPolicy.objects, death.date_of_death)
    if policy is None:
        raise ValidationError(
            _("The bureau has no fee waiver policy in force on %(date)s.") % {"date": death.date_of_death}
        )
    if not rules.eligible(policy=policy.eligible, local_hukou=death.local_hukou):
        raise ValidationError(
            _("%(name)s is not eligible: the waiver is for %(who)s.")
            % {"name": death.name, "who": policy.get_eligible_display()}
        )
    if not items:
        raise ValidationError({"items": _("Give at least one item.")})
    chosen = []
    for row in items:
        code, units = str(row.get("code", "")), row.get("units", 1)
        item = _in_force(FeeItem.objects.filter(code=code), death.date_of_death)
        if item is None:
            raise ValidationError(
                {
                    "items": _("%(code)r is not on the price list in force on %(date)s.")
                    % {"code": code, "date": death.date_of_death}
                }
            )
        if not isinstance(units, int) or units < 1:
            raise ValidationError(
                {"items": _("The units of %(name)s must be a whole number of at least 1.") % {"name": item.name}}
            )
        if any(c[0].code == code for c in chosen):
            raise ValidationError({"items": _("%(name)s is listed twice.") % {"name": item.name}})
        chosen.append((item, units))
    waived = [rules.WaivedItem(unit_price=i.unit_price, units=u, max_units=i.max_units) for i, u in chosen]
    items_total, amount = rules.waiver_amount(waived, cap=policy.cap)
    waiver = FeeWaiver(death=death, funeral_home=home, items_total=items_total, amount=amount, approved_on=today)
    waiver._history_user = recorded_user(user)
    waiver.save()
    FeeWaiverItem.objects.bulk_create(
        [
            FeeWaiverItem(waiver=waiver, item=i, units=min(u, i.max_units), amount=rules.item_amount(w))
            for (i, u), w in zip(chosen, waived, strict=True)
        ]
    )
    waiver.grant = benefits.grant_create(
        programme="funeral_waiver",
        amount=amount,
        period=first_of_month(today),
        person=death.person,
        payee_name=home.name,
        payee_account=home.bank_account,
        payee_bank=home.bank_name,
        reason=_("fee waiver for %(name)s") % {"name": death.name},
        source=f"burial.waiver:{waiver.pk}",
        user=user,
    )
    waiver.save(update_fields=["grant"])
    return waiver


@transaction.atomic
def eco_burial_create(
    *,
    death: DeathRecord,
    applicant_name: str,
    applicant_account: str,
    applicant_bank: str = "",
    user,
    today: datetime.date | None = None,
) -> EcoBurialSubsidy:
    """One subsidy per deceased, at the rate of its disposition in force at the death, to the family."""
    require_permission(user, "burial.add_ecoburialsubsidy", what=_("grant eco-burial subsidies"))
    today = today or timezone.localdate()
    death = DeathRecord.objects.select_for_update().get(pk=death.pk)
    first = EcoBurialSubsidy.objects.filter(death=death).first()
    if first:
        raise ValidationError(
            _("%(name)s already has eco-burial subsidy #%(id)s (%(date)s).")
            % {"name": death.name, "id": first.pk, "date": first.approved_on.isoformat()}
        )
    if death.disposition not in ECO_DISPOSITIONS:
        raise ValidationError(
            {"disposition": _("%(mode)s is not an eco-burial.") % {"mode": death.get_disposition_display() or "—"}}
        )
    rate = _in_force(EcoBurialRate.objects.filter(mode=death.disposition), death.date_of_death)
    if rate is None or rate.amount <= 0:
        raise ValidationError(_("The bureau pays no subsidy for %(mode)s.") % {"mode": death.get_disposition_display()})
    if not (applicant_name or "").strip():
        raise ValidationError({"applicant_name": _("Give the applicant's name.")})
    subsidy = EcoBurialSubsidy(
        death=death,
        mode=death.disposition,
        amount=rate.amount,
        applicant_name=applicant_name.strip()[:50],
        applicant_account=applicant_account or "",
        applicant_bank=(applicant_bank or "")[:50],
        approved_on=today,
    )
    subsidy._history_user = recorded_user(user)
    subsidy.save()
    subsidy.grant = benefits.grant_create(
        programme="eco_burial",
        amount=rate.amount,
        period=first_of_month(today),
        person=death.person,
        payee_name=subsidy.applicant_name,
        payee_account=subsidy.applicant_account,
        payee_bank=subsidy.applicant_bank,
        reason=_("eco-burial subsidy for %(name)s") % {"name": death.name},
        source=f"burial.eco:{subsidy.pk}",
        user=user,
    )
    subsidy.save(update_fields=["grant"])
    return subsidy


# --------------------------------------------------------------------------- cemeteries


@transaction.atomic
def cemetery_create(*, user, name: str, kind: str, town, capacity: int, price_cap=None) -> Cemetery:
    require_permission(user, "burial.add_cemetery", what=_("register cemeteries"))
    cemetery = Cemetery(
        name=(name or "").strip(),
        kind=kind,
        town=town,
        capacity=capacity,
        price_cap=None if price_cap in (None, "") else money_input("price_cap", price_cap, label=_("The price cap")),
    )
    cemetery.full_clean()
    cemetery._history_user = recorded_user(user)
    cemetery.save()
    return cemetery


@transaction.atomic
def plot_sale_create(
    *, cemetery: Cemetery, price, sold_on: datetime.date, user, death: DeathRecord | None = None
) -> PlotSale:
    """A plot sold: refused above the cemetery's price cap or when it is full."""
    require_permission(user, "burial.add_plotsale", what=_("record plot sales"))
    cemetery = Cemetery.objects.select_for_update().get(pk=cemetery.pk)
    price = money_input("price", price, label=_("The price"))
    if cemetery.price_cap is not None and price > cemetery.price_cap:
        raise ValidationError(
            {
                "price": _("%(price)s is above the price cap of %(cap)s per plot at %(name)s.")
                % {"price": f"¥{price:,.2f}", "cap": f"¥{cemetery.price_cap:,.2f}", "name": cemetery.name}
            }
        )
    if cemetery.sales.count() >= cemetery.capacity:
        raise ValidationError(
            _("%(name)s is full: all %(n)s plots are sold.") % {"name": cemetery.name, "n": cemetery.capacity}
        )
    if death is not None and PlotSale.objects.filter(death=death).exists():
        raise ValidationError({"death": _("Death record #%(id)s already has a plot.") % {"id": death.pk}})
    sale = PlotSale(cemetery=cemetery, death=death, price=price, sold_on=sold_on)
    sale._history_user = recorded_user(user)
    sale.save()
    return sale
