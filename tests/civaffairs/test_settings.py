"""Issue 10, defect 2: safe defaults. Settings are imported in child processes with a clean
environment, as a production server would start, never with this session's variables."""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEY_A = "k" * 20 + "A-1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvWxYz"  # 57 characters, not a real key
KEY_B = "p" * 20 + "Z-9y8X7w6V5u4T3s2R1q0PoNmLkJiHgFeDcBa"
KEY_C = "province-hash-key-for-the-settings-tests-only-0123456789abcdef"


def run_settings(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
             "DJANGO_SETTINGS_MODULE": "civaffairs.settings", **env}
    return subprocess.run([sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; {code}"],
                          cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True,
                          text=True, timeout=120)


def production_env(**extra: str) -> dict:
    return {"HTTPS": "1", "SECRET_KEY": KEY_A, "PII_HASH_KEY": KEY_B, "PROVINCE_HASH_KEY": KEY_C, "ALLOWED_HOSTS": ".civaffairs.example",
            "DATABASE_URL": os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/civaffairs"),
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), **extra}


def test_debug_is_off_unless_asked_for():
    off = run_settings("print(settings.DEBUG)", SECRET_KEY=KEY_A, PII_HASH_KEY=KEY_B)
    on = run_settings("print(settings.DEBUG)", SECRET_KEY=KEY_A, PII_HASH_KEY=KEY_B, DEBUG="1")

    assert (off.returncode, off.stdout.strip()) == (0, "False"), off.stderr
    assert (on.returncode, on.stdout.strip()) == (0, "True"), on.stderr


def test_settings_refuse_to_start_without_a_secret_key_and_say_how_to_set_one():
    # HTTPS=1: a production server, which never reads a developer's .run/keys/.
    result = run_settings("print(settings.SECRET_KEY)", HTTPS="1", PII_HASH_KEY=KEY_B)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
    assert "set the SECRET_KEY environment variable" in result.stderr
    assert "make demo" in result.stderr


def test_the_pii_hash_key_never_falls_back_to_the_secret_key():
    missing = run_settings("print(settings.PII_HASH_KEY)", HTTPS="1", SECRET_KEY=KEY_A)
    same = run_settings("print(settings.PII_HASH_KEY)", HTTPS="1", SECRET_KEY=KEY_A, PII_HASH_KEY=KEY_A)

    assert missing.returncode != 0 and "PII_HASH_KEY is not set" in missing.stderr
    assert same.returncode != 0 and "PII_HASH_KEY must differ from SECRET_KEY" in same.stderr
    assert KEY_A not in missing.stdout + same.stdout


def test_a_developer_shell_reads_the_keys_that_make_test_generated():
    # This session's settings created .run/keys/ (as `make test` does); a plain manage.py finds them.
    result = run_settings("print(settings.SECRET_KEY == open('.run/keys/secret_key').read().strip(), "
                          "settings.PII_HASH_KEY == open('.run/keys/pii_hash_key').read().strip())")

    assert (result.returncode, result.stdout.split()) == (0, ["True", "True"]), result.stderr


def test_no_literal_secret_in_the_project_package():
    """No string is assigned to a key, and no key is read with a default to fall back on."""
    keys = {"SECRET_KEY", "PII_HASH_KEY"}
    for path in (ROOT / "civaffairs").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                names = {t.id for t in node.targets if isinstance(t, ast.Name)}
                assert not names & keys, f"{path.name}:{node.lineno} assigns a literal key"
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                    and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in keys):
                defaults = [ast.literal_eval(a) for a in node.args[1:]]
                assert defaults in ([], [""]), f"{path.name}:{node.lineno} reads {node.args[0].value} with a default"
    assert "insecure" not in (ROOT / "civaffairs" / "settings.py").read_text()


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_https_check_deploy_names_what_https_switches_on():
    env = production_env()
    del env["HTTPS"]
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr
