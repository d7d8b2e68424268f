"""Web Push in the tests: a push service on the loopback interface, over real TLS, and a
browser's side of a subscription.

``PushService`` receives what the portal posts (an HTTPS server with a certificate made
for it, which the portal trusts through ``REQUESTS_CA_BUNDLE``, as requests reads it) and
answers what the test tells it. ``Browser`` holds the keys a browser makes when it
subscribes (a P-256 key pair and a 16-byte auth secret, RFC 8291) and decrypts what the
push service received with them, as the browser would; ``vapid_claims`` checks the
portal's VAPID signature (RFC 8292) with the public key the request itself carries.
"""

import base64
import datetime as dt
import ipaddress
import json
import os
import ssl
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import http_ece
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_vapid_key_pem() -> str:
    """A VAPID private key as an operator would configure it (PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class PushService:
    """A push service at ``https://127.0.0.1:<port>``: each request is kept in
    ``received``; it answers 201, or the statuses given to ``answer`` first, in order."""

    def __init__(self, directory: Path) -> None:
        self.received: list[Received] = []
        self._answers: deque[tuple[int, dict[str, str]]] = deque()
        self.ca_file = directory / "push-service.pem"
        context = self._tls_context(directory)
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                service.received.append(
                    Received(
                        "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body
                    )
                )
                status, headers = service._answers.popleft() if service._answers else (201, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args) -> None:  # noqa: A002 - the base's name
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _tls_context(self, directory: Path) -> ssl.SSLContext:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        # Valid for years either side: the tests' clock stands still on some day of the
        # suite, while TLS checks the certificate against the machine's real time.
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
            .not_valid_after(dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        key_file = directory / "push-service.key"
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        self.ca_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_file, key_file)
        return context

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        """Its entry for ``WEBPUSH_ALLOWED_HOSTS``."""
        return f"127.0.0.1:{self.port}"

    def endpoint(self, name: str = "browser") -> str:
        return f"{self.origin}/push/{name}-{os.urandom(4).hex()}"

    def answer(self, *statuses: int, headers: dict[str, str] | None = None) -> None:
        for status in statuses:
            self._answers.append((status, headers or {}))

    def start(self) -> "PushService":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class Browser:
    """A browser's side of one push subscription."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._auth = os.urandom(16)

    @property
    def p256dh(self) -> str:
        return b64url(
            self._key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self._auth)

    def keys(self) -> tuple[str, str, str]:
        """``(endpoint, p256dh, auth)``, as ``do_subscribe_push`` takes them."""
        return self.endpoint, self.p256dh, self.auth

    def decrypt(self, received: Received) -> dict:
        """The message, decrypted as the browser does (RFC 8291, aes128gcm)."""
        assert received.headers["content-encoding"] == "aes128gcm"
        plain = http_ece.decrypt(
            received.body, private_key=self._key, auth_secret=self._auth, version="aes128gcm"
        )
        return json.loads(plain)


def vapid_claims(received: Received, public_key: str) -> dict:
    """The claims of the request's VAPID token (``Authorization: vapid t=…,k=…``), after
    checking its ES256 signature with the key ``k`` it carries, which must be
    ``public_key`` (the portal's). Raises AssertionError otherwise."""
    scheme, _, params = received.headers["authorization"].partition(" ")
    assert scheme == "vapid", scheme
    fields = dict(part.split("=", 1) for part in params.split(","))
    assert fields["k"] == public_key
    header_b64, payload_b64, signature_b64 = fields["t"].split(".")
    header = json.loads(unb64url(header_b64))
    assert header["alg"] == "ES256", header
    signature = unb64url(signature_b64)
    assert len(signature) == 64
    verifier = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
    try:
        verifier.verify(
            encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            ),
            f"{header_b64}.{payload_b64}".encode(),
            ec.ECDSA(hashes.SHA256()),
        )
    except InvalidSignature:
        raise AssertionError("the VAPID signature does not verify") from None
    return json.loads(unb64url(payload_b64))
