"""Bootstrap loader: each bureau's standards with their effective dates (seeds/<schema>.yaml)."""

from apps.core.permissions import SYSTEM
from tenants.seeds import Seed

from .models import Programme
from .services import standard_ensure


def load_standards(*, seed: Seed) -> list[str]:
    programmes = {p.code: p for p in Programme.objects.all()}
    lines = []
    for row in seed.data["standards"]:
        programme = programmes[row["programme"]]
        source = " ".join(
            part for part in [row["source"]["file"], row["source"]["phrase"],
                              "(date assumed: 1 January)" if row.get("date_assumed") else ""] if part
        )
        # An existing standard keeps the amount its bureau may have corrected since.
        _, created = standard_ensure(user=SYSTEM, programme=programme, variant=row["variant"],
                                     effective_from=row["effective_from"], amount=row["amount"], unit=row["unit"],
                                     source=source[:300])
        lines.append(f"{'+' if created else '='} standard {row['programme']}/{row['variant']} "
                     f"{row['effective_from']}")
    return lines
