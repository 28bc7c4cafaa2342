"""Upload limits: a file's size, and an XLSX archive's real size, checked before anything parses it.

An XLSX is a zip: a few hundred kilobytes can unpack to a hundred megabytes of shared strings, which
openpyxl then holds in memory. The zip's central directory states every member's packed and unpacked
size, and Python's zipfile never inflates a member beyond its stated size, so reading the directory
is enough to refuse an abnormal archive without inflating a byte of it. The limits are settings
(UPLOAD_* in civaffairs/settings.py, each configurable by an environment variable).
"""

from __future__ import annotations

import os
import zipfile
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# A member smaller than this may be packed as tightly as it likes (styles, empty sheets).
_RATIO_FLOOR_BYTES = 1 << 20


def file_size(file) -> int:
    """The size of a path, an uploaded file or a seekable binary file, without reading it."""
    if isinstance(file, str | os.PathLike):
        return os.path.getsize(file)
    if isinstance(file, bytes | bytearray | memoryview):
        return len(file)
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    position = file.tell()
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(position)
    return size


def check_size(file, *, limit: int, what: str) -> int:
    """Refuse a file above `limit` bytes, naming the limit; returns the size."""
    size = file_size(file)
    if size > limit:
        raise ValidationError(
            _("The %(what)s is %(size)s; the limit is %(limit)s.")
            % {"what": what, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large")
    return size


def check_xlsx_archive(file: str | os.PathLike | BinaryIO) -> None:
    """Refuse an XLSX whose members unpack to too much, too many, or at an abnormal ratio.

    Reads the zip's central directory only; a file object is left at its start.
    """
    limit, ratio, members = (settings.UPLOAD_MAX_XLSX_UNPACKED_BYTES, settings.UPLOAD_MAX_XLSX_RATIO,
                             settings.UPLOAD_MAX_XLSX_MEMBERS)
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return  # not a zip: the workbook reader says so in its own words
    finally:
        if hasattr(file, "seek"):
            file.seek(0)
    if len(infos) > members:
        raise ValidationError(_("The workbook holds %(count)d parts; the limit is %(limit)d.")
                              % {"count": len(infos), "limit": members}, code="xlsx_members")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limit:
        raise ValidationError(_("The workbook unpacks to %(size)s; the limit is %(limit)s.")
                              % {"size": filesizeformat(unpacked), "limit": filesizeformat(limit)},
                              code="xlsx_unpacked")
    for info in infos:
        if info.file_size > _RATIO_FLOOR_BYTES and info.file_size > ratio * max(info.compress_size, 1):
            raise ValidationError(
                _("The workbook's part %(name)s unpacks %(ratio)d times its packed size; the limit is %(limit)d "
                  "(a file built to exhaust the server).")
                % {"name": info.filename, "ratio": info.file_size // max(info.compress_size, 1), "limit": ratio},
                code="xlsx_ratio")


def request_body_limit() -> int:
    """The largest body any endpoint accepts: the largest upload limit plus room for the form around it."""
    return max(settings.UPLOAD_MAX_BYTES_XLSX, settings.UPLOAD_MAX_BYTES_BANK_RETURN) + (1 << 20)


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is above every upload limit before a byte of it is read.

    The per-file limits (check_size) apply once Django has spooled the upload to disk; without this a
    client could make the server receive and store gigabytes first. Nothing here reads the body, so the
    refusal costs one header comparison. A body sent without a length (chunked) is not read by Django.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = request_body_limit()
        if declared > limit:
            message = _("The request is %(size)s; the largest upload accepted is %(limit)s.") % {
                "size": filesizeformat(declared), "limit": filesizeformat(limit)}
            if request.path.startswith("/api/"):
                response = JsonResponse({"detail": message}, status=413)
            else:
                response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
            # The unread body is still on the wire: the connection cannot carry another request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)
