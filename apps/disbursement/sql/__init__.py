"""THE AMOUNT RULE and the line generation in SQL, one statement per file.

Files are plain SQL with psycopg parameters (`%(period)s`) and, where a statement prices lines, the
`{rates}` placeholder for the CTEs in rates.sql (standards in force per period, 特困 derivation),
which must precede a CTE named `periods(period)`. apps.benefits.rules is the same rule in Python;
tests/disbursement/test_amount_sql.py holds both to the same worked numbers.
"""

from apps.core.sqlfiles import SqlFiles

# dibao: max(0, S − income) × covered + round(share × S, 2) × add-ons; every other programme: S.
AMOUNT = (
    "CASE WHEN {programme} = 'dibao' THEN"
    " greatest(0, {standard} - coalesce({income}, 0)) * coalesce({covered}, 0)"
    " + round(%(share)s * {standard}, 2) * coalesce({addon}, 0)"
    " ELSE {standard} END"
)


def amount_expr(*, programme: str, standard: str, income: str, covered: str, addon: str) -> str:
    return AMOUNT.format(programme=programme, standard=standard, income=income, covered=covered, addon=addon)


_files = SqlFiles(__file__)


def rates_ctes() -> str:
    """The CTEs of rates.sql (`std`, `tekun_class`, `rate`), for a statement that has `periods(period)`."""
    return _files.statement("rates").strip().rstrip(",")


def reissue_ready(*, one_month: bool) -> str:
    """The CTEs of reissue_ready.sql (`cand`, `cur`, `ready`) for the month %(period)s or for every month."""
    return _files.statement("reissue_ready", scope="AND l.period = %(period)s" if one_month else "").strip()


def statement(name: str, **parts: str) -> str:
    """The statement in `<name>.sql` with its {placeholders} filled ({rates} always available)."""
    parts.setdefault("rates", rates_ctes())
    return _files.statement(name, **parts)
