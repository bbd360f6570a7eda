"""The web port: plain TCP, or TLS when http.tls_cert and http.tls_key name PEM files.

With a certificate the port speaks HTTPS only (no plain-text fallback on the same port);
the session cookie is then Secure and named `__Host-` (acd/web/sessions.py), the edge expects
https origins (acd/web/boundary.py), and every answer carries HSTS.
"""

from __future__ import annotations

from twisted.application import internet, service
from twisted.internet import ssl

from acd.config import Config, ConfigError


def context(cert: bytes, key: bytes) -> ssl.CertificateOptions:
    """Twisted's TLS options from PEM bytes (TLS 1.2 at least; Twisted's default ciphers)."""
    try:
        certificate = ssl.PrivateCertificate.loadPEM(cert + b"\n" + key)
    except Exception as exc:  # noqa: BLE001  pyOpenSSL's errors are many; say which file set is bad
        raise ConfigError(f"http.tls_cert / http.tls_key: not a usable PEM pair: {exc}") from None
    return ssl.CertificateOptions(
        privateKey=certificate.privateKey.original,
        certificate=certificate.original,
        raiseMinimumTo=ssl.TLSVersion.TLSv1_2,
    )


def configured(config: Config) -> ssl.CertificateOptions | None:
    """The TLS options the config names, or None for plain HTTP; unreadable files or a bad pair
    are a ConfigError (acd check-config and acd run say so before anything listens)."""
    paths = config.tls_paths()
    if paths is None:
        return None
    try:
        cert, key = (path.read_bytes() for path in paths)
    except OSError as exc:
        raise ConfigError(
            f"http.tls_cert / http.tls_key: cannot read {exc.filename}: {exc.strerror}"
        ) from None
    return context(cert, key)


def web_service(config: Config, site) -> service.Service:
    options = configured(config)
    if options is None:
        return internet.TCPServer(config.http.port, site, interface=config.http.host)
    return internet.SSLServer(config.http.port, site, options, interface=config.http.host)
