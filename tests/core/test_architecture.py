"""The house's rules that no single test of behaviour would catch (issue 9, SPEC §3).

- the floors hold (import-linter's contracts in pyproject.toml), and a back-edge breaks them;
- no module imports another module's private (`_name`) names;
- no project import hides inside a function body (a cycle is fixed by its direction, not hidden).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("tenants", "apps", "civaffairs")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _project_modules():
    for package in ("tenants", "apps"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield path


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_project(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def _run_lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_floors_hold():
    result = _run_lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_back_edge_breaks_the_floors(tmp_path):
    """The contract is not vacuous: tenants importing apps.people (one floor up) is refused."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with open(tmp_path / "tenants" / "models.py", "a") as models:
        models.write("\nimport apps.people.models  # a deliberate back-edge\n")
    result = _run_lint_imports(tmp_path)
    assert result.returncode != 0
    assert "tenants is not allowed to import apps.people" in result.stdout


def test_no_module_imports_another_modules_private_names():
    offences = []
    for path in _project_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom):
                source = _resolve(path, node)
                if not _is_project(source) or source == _module_name(path):
                    continue
                offences += [f"{path.relative_to(ROOT)}:{node.lineno} imports {source}.{alias.name}"
                             for alias in node.names if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert not offences, "\n".join(offences)


def test_no_project_import_hides_in_a_function_body():
    offences = []
    for path in _project_modules():
        tree = ast.parse(path.read_text(), str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom):
                    module = _resolve(path, node)
                elif isinstance(node, ast.Import):
                    module = node.names[0].name
                else:
                    continue
                if _is_project(module):
                    offences.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {module} inside {function.name}()")
    assert not offences, "\n".join(sorted(set(offences)))


@pytest.mark.parametrize("package", ["tenants"])
def test_the_bottom_floor_names_no_app(package):
    text = "\n".join(p.read_text() for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)
    assert "from apps" not in text and "import apps" not in text
