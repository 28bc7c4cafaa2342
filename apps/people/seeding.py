"""Bootstrap loader: the towns a bureau's report names (seeds/<schema>.yaml `towns`)."""

from tenants.seeds import Seed

from .models import Town


def load_towns(*, seed: Seed) -> list[str]:
    lines = []
    for row in seed.data["towns"]:
        source = f"{row['source']['file']} {row['source']['phrase']}".strip()
        _, created = Town.objects.get_or_create(
            name=row["name"],
            defaults={"kind": row["kind"], "area_code": row.get("area_code", ""), "source": source[:200]},
        )
        lines.append(f"{'+' if created else '='} town {row['name']}")
    return lines
