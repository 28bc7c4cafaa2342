"""The personal-data read log (等保 2.0 level 3): who saw a whole ID number or bank account, whose, when, from where.

The only writer of `PersonalDataAccess`. Detail screens call `personal_data_read_note` for each whole value
they show (the API's `MaskedField`, the admin's `PiiMaskingAdminMixin`); the notes wait on the request
and `PersonalDataAccessMiddleware` writes them in one insert once the response is built. A file
(bank file, export) is one entry from `personal_data_export_record`: its name, rows and checksum.
Lists never show whole values (SPEC §7), so they write nothing.
"""

from __future__ import annotations

from .idcard import mask_account, mask_id_number
from .models import PersonalDataAccess
from .permissions import recorded_user

FIELD_OF_PERMISSION = {
    "people.view_full_id_number": PersonalDataAccess.Field.ID_NUMBER,
    "people.view_full_bank_account": PersonalDataAccess.Field.BANK_ACCOUNT,
}
NOTES = "personal_data_reads"


def _django_request(request):
    # DRF's Request keeps attributes it is given to itself; the middleware sees the HttpRequest.
    return getattr(request, "_request", request)


def _where(request) -> tuple[str | None, str]:
    return request.META.get("REMOTE_ADDR") or None, request.path[:300]


def _person_id(holder) -> int | None:
    if holder is None:
        return None
    if holder._meta.model_name == "person":
        return holder.pk
    return getattr(holder, "person_id", None)


def personal_data_read_note(*, request, channel: str, field: str, holder, value: str) -> None:
    """Remember that `request` showed `value` (a whole ID number or account) of `holder` (a model row, if known)."""
    request = _django_request(request)
    mask = mask_id_number if field == PersonalDataAccess.Field.ID_NUMBER else mask_account
    ip, path = _where(request)
    entry = PersonalDataAccess(
        user=recorded_user(request.user), username=request.user.get_username(), channel=channel, field=field,
        record=f"{holder._meta.label_lower}:{holder.pk}"[:64] if holder is not None else "",
        person_id=_person_id(holder),
        masked_value=mask(value)[:32], ip_address=ip, path=path,
    )
    notes = request.__dict__.setdefault(NOTES, [])
    # One entry per value shown: a serializer nested twice over the same person is one read.
    if not any((n.field, n.record, n.masked_value) == (entry.field, entry.record, entry.masked_value) for n in notes):
        notes.append(entry)


def personal_data_export_record(*, user, file_name: str, row_count: int, sha256: str,
                                 request=None) -> PersonalDataAccess:
    """One entry for a file that carries whole ID numbers or accounts, however many people it holds."""
    ip, path = _where(_django_request(request)) if request is not None else (None, "")
    return PersonalDataAccess.objects.create(
        user=recorded_user(user), username=user.get_username() if user is not None else "", channel=PersonalDataAccess.Channel.EXPORT,
        field=PersonalDataAccess.Field.FILE, file_name=file_name[:200], row_count=row_count, sha256=sha256,
        ip_address=ip, path=path,
    )


class PersonalDataAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        notes = request.__dict__.pop(NOTES, None)
        if notes:
            PersonalDataAccess.objects.bulk_create(notes)
        return response
