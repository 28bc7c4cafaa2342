"""`make demo` / `make test` generate SECRET_KEY and PII_HASH_KEY once under .run/keys/, mode 0600."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from civaffairs import devservices

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def keys_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(devservices, "KEYS_DIR", tmp_path / "keys")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PII_HASH_KEY", raising=False)
    return tmp_path / "keys"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_keys_are_created_readable_by_their_owner_only_and_reused(keys_dir):
    first = devservices.ensure_keys()
    second = devservices.ensure_keys()

    assert first == second
    assert first["SECRET_KEY"] != first["PII_HASH_KEY"]
    assert len(first["SECRET_KEY"]) >= 50 and len(first["PII_HASH_KEY"]) >= 50
    assert mode(keys_dir) == 0o700
    assert mode(keys_dir / "secret_key") == 0o600
    assert mode(keys_dir / "pii_hash_key") == 0o600
    assert (keys_dir / "secret_key").read_text().strip() == first["SECRET_KEY"]


def test_a_key_file_left_readable_by_others_is_closed_again(keys_dir):
    keys_dir.mkdir()
    (keys_dir / "secret_key").write_text("x" * 60 + "\n")
    os.chmod(keys_dir / "secret_key", 0o644)

    assert devservices.ensure_key("SECRET_KEY") == "x" * 60
    assert mode(keys_dir / "secret_key") == 0o600


def test_keys_set_in_the_environment_win(keys_dir, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")

    keys = devservices.ensure_keys()

    assert keys["SECRET_KEY"] == "from-the-environment"
    assert not (keys_dir / "secret_key").exists()
    assert keys["PII_HASH_KEY"] == (keys_dir / "pii_hash_key").read_text().strip()


def test_run_passes_the_generated_keys_to_the_command():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PII_HASH_KEY")}
    probe = ("import os; from pathlib import Path; k = Path('.run/keys');"
             "print(os.environ['SECRET_KEY'] == (k / 'secret_key').read_text().strip(),"
             " os.environ['PII_HASH_KEY'] == (k / 'pii_hash_key').read_text().strip())")

    result = subprocess.run([sys.executable, "civaffairs/devservices.py", "run", "--", sys.executable, "-c", probe],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert (result.returncode, result.stdout.split()) == (0, ["True", "True"]), result.stderr
