"""What a sweep of admin pages looks for besides server errors: whole personal numbers where they must be
masked, and English or raw codes on a Chinese page.

The translation detector is built from the catalogue itself, so it grows with every app:
- a text node equal to a message id that has a different zh-hans translation (the string was not passed
  through gettext at render time, or was rendered in the wrong language);
- a text node equal to the stored value of a choice whose label differs (a raw code: `checked`, `self_care`),
  and Python's `True`/`False`/`None`;
- in headers, labels, headings, buttons and table cells: a run of plain English words (letters and spaces
  only) that no whitelisted term explains.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser

from django.apps import apps
from django.utils import translation

ID_NUMBER = re.compile(r"(?<![\d*])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX](?![\d*])")
ACCOUNT = re.compile(r"(?<![\d*\w.-])\d{12,19}(?![\d*\w.-])")
ENGLISH_RUN = re.compile(r"^[A-Za-z][A-Za-z ]*[A-Za-z]$")
# django-celery-beat renders these labels without gettext: no catalogue can translate them.
UNTRANSLATABLE = {"Scheduler", "Crontab translation", "Human readable", "Task Name"}
# The language switch names the other language in that language, on purpose.
SWITCH = {"English", "中文"}
# Words that stay as they are in Chinese admin pages.
ALLOWED_ENGLISH = {
    "ID",
    "API",
    "CSV",
    "XLSX",
    "JSON",
    "URL",
    "IP",
    "OK",
    "PDF",
    "SHA",
    "CivAffairs",
    "Django",
}
WORDY_TAGS = {
    "th",
    "label",
    "h1",
    "h2",
    "h3",
    "caption",
    "button",
    "td",
    "a",
    "p",
    "li",
    "span",
    "div",
    "legend",
    "dt",
    "dd",
    "strong",
    "summary",
}


@cache
def zh_catalogue() -> dict[str, str]:
    """msgid -> translation, for every message that zh-hans translates into something else."""
    catalog = translation.trans_real.translation("zh-hans")._catalog
    out = {}
    for key, value in catalog.items():
        if isinstance(key, str) and "\x04" not in key and value and value != key and re.search("[A-Za-z]", key):
            out[key.strip()] = value
    return out


@cache
def raw_choice_codes() -> frozenset[str]:
    codes = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and len(value) > 1 and re.search("[a-z]", value) and str(label) != value:
                    codes.add(value)
    return frozenset(codes)


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[tuple[str, str]] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "textarea"):
            self.skip += 1
        if tag not in ("br", "img", "input", "meta", "link", "hr"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "textarea"):
            self.skip = max(0, self.skip - 1)
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.skip:
            self.texts.append((self.stack[-1] if self.stack else "", text))


def page_texts(html: str) -> list[tuple[str, str]]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def untranslated(html: str, data_words: frozenset[str] = frozenset()) -> set[str]:
    """`data_words`: values the records themselves hold in Latin letters (user names, schema names)."""
    catalogue, codes = zh_catalogue(), raw_choice_codes()
    found = set()
    for tag, text in page_texts(html):
        bare = text.strip(" :：*")
        if bare in data_words or bare in UNTRANSLATABLE or bare in SWITCH:
            continue
        if bare in catalogue:
            found.add(f"msgid {bare!r}")
        elif bare in codes:
            found.add(f"code {bare!r}")
        elif bare in ("True", "False", "None"):
            found.add(f"python {bare!r}")
        elif tag in WORDY_TAGS and ENGLISH_RUN.match(bare) and not set(bare.split()) <= ALLOWED_ENGLISH:
            found.add(f"english {bare!r}")
    return found


def whole_numbers(html: str, *, ids: bool = True, accounts: bool = True) -> set[str]:
    found = set()
    if ids:
        found |= {f"ID {m}" for m in ID_NUMBER.findall(html)}
    if accounts:
        # An 18-digit ID number also looks like an account; it is judged as an ID number above.
        found |= {f"account {m}" for m in ACCOUNT.findall(html) if not ID_NUMBER.fullmatch(m)}
    return found


BARE_AMOUNT = re.compile(r"^-?\d{1,3}(?:,\d{3})*\.\d{2}$|^-?\d+\.\d{2}$")
YUAN = re.compile(r"^-?¥\d{1,3}(?:,\d{3})*\.\d{2}$")


class _Cells(HTMLParser):
    """The result table's cells: (column name from `field-<name>`, text, whether the cell is money-aligned)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells: list[tuple[str, str, bool]] = []
        self.column = None
        self.text: list[str] = []
        self.aligned = False

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("td", "th") and any(c.startswith("field-") for c in classes):
            self.column = next(c for c in classes if c.startswith("field-"))[len("field-"):]
            self.text, self.aligned = [], self.column.startswith("money_")
        elif self.column is not None and "money" in classes:
            self.aligned = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.column is not None:
            self.cells.append((self.column, " ".join("".join(self.text).split()), self.aligned))
            self.column = None

    def handle_data(self, data):
        if self.column is not None:
            self.text.append(data)


def unformatted_amounts(html: str, model) -> set[str]:
    """Cells of a changelist showing an amount as a bare decimal ("1234.56") or as ¥ not aligned right.

    A two-place decimal is an amount unless its column is a model field that is not money (a multiplier).
    """
    from apps.core.admin_money import is_money_field

    parser = _Cells()
    parser.feed(html)
    found = set()
    for column, text, aligned in parser.cells:
        if BARE_AMOUNT.match(text):
            try:
                field = model._meta.get_field(column)
            except Exception:  # a display method: its two-place decimal is an amount
                field = None
            if field is None or is_money_field(field):
                found.add(f"{column}={text}")
        elif YUAN.match(text) and not aligned:
            found.add(f"{column}={text} (not aligned)")
    return found
