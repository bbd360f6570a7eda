"""HTTPS on the web port (http.tls_cert / http.tls_key): a self-signed certificate for 127.0.0.1
made at test time (no key is ever committed), the real site behind acd/web/tls.py's listener:
the sign-in form over TLS, the session cookie Secure and `__Host-`, plain HTTP on that port
refused, and a missing or bad certificate a configuration error, not a traceback."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
import urllib.parse
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from acd import cli
from acd import config as config_module
from acd.config import ConfigError
from acd.service import Daemon
from acd.store.db import migrate
from acd.web.tls import web_service
from ivr import menu
from tests.asterisk.test_fastagi import on_asyncio
from tests.web.conftest import read_answer
from tests.web.test_pops import AGENT_PASSWORD, agents_sign_in  # noqa: F401  (a fixture)
from tests.web.test_push import free_port


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1, valid for a day, written as PEM into `folder`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "web.crt", folder / "web.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def raw_config(tmp_path: Path, cert: Path, key: Path) -> dict:
    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    raw["store"] = {"url": url}
    raw["pbx"] = {**raw["pbx"], "state_dir": str(tmp_path / "state")}
    raw["http"] = {**raw["http"], "port": free_port(), "tls_cert": str(cert), "tls_key": str(key)}
    raw["hashing"] = {"time_cost": 1, "memory_kib": 1024, "parallelism": 1}
    return raw


@pytest.fixture
def https(tmp_path, agents_sign_in):  # noqa: F811
    cert, key = self_signed(tmp_path)
    raw = raw_config(tmp_path, cert, key)
    migrate(raw["store"]["url"])
    made = Daemon(config_module.parse(raw), menu.load())
    made.people.seed(made.config)
    listener = web_service(made.config, made.site)
    listener.startService()
    made.cert = cert
    yield made
    listener.stopService()
    made.feed.stop()
    made.directory.close()


async def exchange(made, request: bytes, tls: bool = True):
    context = ssl.create_default_context(cafile=str(made.cert)) if tls else None
    reader, writer = await asyncio.open_connection("127.0.0.1", made.config.http.port, ssl=context)
    writer.write(request)
    try:
        return await asyncio.wait_for(read_answer(reader), 10)
    finally:
        writer.close()


def form_post(port: int, path: str, fields: dict[str, str]) -> bytes:
    body = urllib.parse.urlencode(fields).encode()
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Origin: https://127.0.0.1:{port}",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@on_asyncio
async def test_the_sign_in_form_works_over_https_and_its_cookie_is_secure_and_host_bound(https):
    port = https.config.http.port
    form = await exchange(
        https, f"GET /signin HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
    )
    assert form.status == 200 and b'name="password"' in form.body
    assert "max-age=" in form.headers.get("strict-transport-security", "")
    answer = await exchange(https, form_post(port, "/signin", {"number": "1001", "password": AGENT_PASSWORD}))
    assert answer.status in (302, 303), answer.raw[:400]
    cookies = [
        line for line in answer.raw.decode("latin-1").split("\r\n") if line.lower().startswith("set-cookie:")
    ]
    session = [c for c in cookies if "__Host-acd_session=" in c]
    assert session, cookies
    assert "Secure" in session[0] and "Path=/" in session[0] and "Domain" not in session[0]
    assert "HttpOnly" in session[0]
    sid = session[0].split("=", 1)[1].split(";", 1)[0]
    desk = await exchange(
        https,
        f"GET /desk HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: __Host-acd_session={sid}\r\n"
        "Connection: close\r\n\r\n".encode(),
    )
    assert desk.status == 200


@on_asyncio
async def test_plain_http_on_the_https_port_gets_no_page(https):
    port = https.config.http.port
    request = f"GET /signin HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    try:
        got = await asyncio.wait_for(reader.read(), 10)
    except ConnectionError:
        got = b""
    finally:
        writer.close()
    assert b"HTTP/1.1 200" not in got and b"password" not in got


@pytest.mark.parametrize("spoil", ["missing", "garbage"])
def test_a_bad_certificate_is_a_configuration_error_at_start(tmp_path, capsys, spoil):
    import yaml

    cert, key = self_signed(tmp_path)
    if spoil == "missing":
        cert = tmp_path / "nowhere.crt"
    else:
        cert.write_text("not a certificate\n")
    raw = raw_config(tmp_path, cert, key)
    with pytest.raises(ConfigError, match="tls"):
        web_service(config_module.parse(raw), None)
    path = tmp_path / "acd.yaml"
    path.write_text(yaml.safe_dump(raw))
    assert cli.main(["-c", str(path), "check-config"]) == cli.EXIT_CONFIG
    err = capsys.readouterr().err
    assert "configuration error" in err and "tls" in err and "Traceback" not in err
