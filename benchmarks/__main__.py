"""Run every benchmark module of this package that has a `main()`: `python -m benchmarks [names…]`.

Each runs in its own process, so one's set-up (Django settings, memory) cannot skew another's figures.
"""

import importlib.util
import pkgutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# `load` measures a served demo (python -m benchmarks.load after make demo), not a scratch database.
SKIP = {"common", "__main__", "load"}


def discover() -> list[str]:
    names = []
    for module in pkgutil.iter_modules([str(HERE)]):
        if module.name in SKIP or module.name.startswith("_"):
            continue
        source = (HERE / f"{module.name}.py").read_text(encoding="utf-8") if (HERE / f"{module.name}.py").exists() else ""
        if "def main(" in source:
            names.append(module.name)
    return sorted(names)


def main() -> int:
    wanted = sys.argv[1:] or discover()
    failed = []
    for name in wanted:
        if importlib.util.find_spec(f"benchmarks.{name}") is None:
            print(f"no benchmark {name!r}; there are: {', '.join(discover())}")
            return 2
        print(f"=== benchmarks.{name}", flush=True)
        code = subprocess.call([sys.executable, "-m", f"benchmarks.{name}"], cwd=HERE.parent)
        if code:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
