"""`make demo` and `make serve` run gunicorn on the loopback address unless HOST says otherwise."""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "civaffairs" / "gunicorn_conf.py"


def test_gunicorn_binds_to_loopback_by_default(monkeypatch):
    for name in ("HOST", "PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)

    conf = runpy.run_path(str(CONF))

    assert conf["bind"] == "127.0.0.1:8000"
    assert conf["workers"] >= 2
    assert conf["accesslog"] is None  # its request lines would carry ?search= values


def test_host_and_port_open_it_when_configured(monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")

    conf = runpy.run_path(str(CONF))

    assert (conf["bind"], conf["workers"]) == ("0.0.0.0:8080", 3)


def test_no_development_server_and_no_wildcard_address_in_the_demo_or_the_makefile():
    for path in (ROOT / "Makefile", ROOT / "apps" / "demo" / "management" / "commands" / "demo.py"):
        text = path.read_text()
        assert "runserver" not in text, path
        assert "0.0.0.0" not in text, path
        assert "gunicorn" in text, path
