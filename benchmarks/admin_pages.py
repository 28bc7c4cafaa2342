"""Server time of the bureau admin's pages: `python -m benchmarks.admin_pages --tenant zhongshan [--repeat 20]`.

Against the database DATABASE_URL names (the demo's, built by `manage.py demo --no-serve`), as the
bureau's administrator (`<tenant>-admin`), one client, in process through Django's test client: what
is timed is the whole server side (middleware, queries, template), not the network. For every model
of the bureau admin: its changelist, its searches (a name, a whole ID number, a household number, a
member's name, where the list searches them) and the change page of one row; each page is requested
once to warm up, then `--repeat` times. Prints per page the median, p95, min and max in ms and the
number of queries, and the login time (the password hasher's cost is a security setting).

`--only person household` limits it to those models (model names, lower case).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civaffairs.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def samples() -> dict[str, str]:
    """Search terms that exist in the bureau: a surname, a whole name, an ID number, a household number."""
    from apps.people.models import Household, HouseholdMember, Person

    person = Person.objects.order_by("pk").first()
    member = HouseholdMember.objects.select_related("person", "household").order_by("pk").first()
    household = member.household if member else Household.objects.order_by("pk").first()
    return {
        "surname": person.name[:1],
        "name": person.name,
        "id_number": person.id_number,
        "household": household.code if household else "",
        "member": member.person.name if member else person.name,
    }


def searches_for(model_admin, terms: dict[str, str]) -> list[tuple[str, str]]:
    model = model_admin.model._meta.model_name
    if model == "person":
        return [("surname", terms["surname"]), ("name", terms["name"]), ("id", terms["id_number"])]
    if model == "household":
        return [("code", terms["household"]), ("member name", terms["member"]), ("member id", terms["id_number"])]
    if not model_admin.search_fields:
        return []
    fields = " ".join(model_admin.search_fields)
    found = []
    if "name" in fields:
        found.append(("name", terms["name"]))
    if "id_number" in fields:
        found.append(("id", terms["id_number"]))
    return found or [("text", terms["surname"])]


def measure(client, url: str, repeat: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries)
    return times, queries, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenant", default="zhongshan")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", nargs="*", help="model names (lower case)")
    parser.add_argument("--no-detail", action="store_true")
    args = parser.parse_args()
    setup()

    from django.test import Client
    from django_tenants.utils import schema_context

    from apps.core.admin_site import bureau_admin_site
    from apps.demo.bootstrap import demo_password
    from tenants.models import Bureau

    bureau = Bureau.objects.get(schema_name=args.tenant)
    host = bureau.domains.order_by("-is_primary").first().domain
    client = Client(HTTP_HOST=host)
    started = time.perf_counter()
    response = client.post(
        "/admin/login/", {"username": f"{args.tenant}-admin", "password": demo_password(), "next": "/admin/"}
    )
    login_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 302:
        raise SystemExit(f"login failed ({response.status_code}): has the demo been built?")
    print(f"login: {login_ms:.0f} ms (one request, the password hasher included)", flush=True)

    with schema_context(args.tenant):
        terms = samples()
        registry = sorted(bureau_admin_site._registry.items(), key=lambda kv: kv[0]._meta.label)
    print(f"{'page':<58} {'median':>7} {'p95':>7} {'min':>7} {'max':>7} {'queries':>7}  status", flush=True)
    slow = []
    for model, model_admin in registry:
        opts = model._meta
        if args.only and opts.model_name not in args.only:
            continue
        with schema_context(args.tenant):
            changelist = f"/admin/{opts.app_label}/{opts.model_name}/"
            first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        pages = [(f"{opts.label} list", changelist)]
        for label, term in searches_for(model_admin, terms):
            pages.append((f"{opts.label} search {label}", f"{changelist}?q={term}"))
        if first is not None and not args.no_detail:
            pages.append((f"{opts.label} detail", f"{changelist}{first}/change/"))
        for label, url in pages:
            times, queries, status = measure(client, url, args.repeat)
            row = (
                f"{label:<58} {statistics.median(times):7.0f} {p95(times):7.0f} {min(times):7.0f} "
                f"{max(times):7.0f} {queries:7d}  {status}"
            )
            print(row, flush=True)
            if p95(times) >= 500 or status >= 500:
                slow.append(row)
    if slow:
        print("\nat or over 500 ms (p95), or failing:")
        print("\n".join(slow))


if __name__ == "__main__":
    main()
