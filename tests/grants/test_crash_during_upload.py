"""kill -9 of a real server in the middle of an upload: nothing half-written remains.

A scripted check with real processes: a server on a free 127.0.0.1 port with its own SQLite file
and MEDIA_ROOT, a raw HTTP upload of 12 MB cut by `kill -9` halfway, then a restart, a complete
upload, and `cleanup_orphan_files` on a leftover.
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.conventions.justificatifs.factories import manager_of, signed_convention
convention = signed_convention()
manager_of(convention, username="gestion")
print(convention.pk)
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def media_files(media):
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())


def justificatif_rows(env):
    code = (
        "import django; django.setup(); from conventions.models import Justificatif; "
        "print(Justificatif.objects.count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return int(result.stdout.strip())


class Client:
    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({key: morsel.value for key, morsel in cookie.items()})
        response.read()
        connection.close()
        return response

    def login(self):
        self.request("GET", "/compte/connexion/")
        body = (
            f"csrfmiddlewaretoken={self.cookies['csrftoken']}&username=gestion"
            "&password=secret-pass-123"
        )
        response = self.request(
            "POST",
            "/compte/connexion/",
            body,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status == 302, response.status

    def multipart(self, content):
        boundary = uuid.uuid4().hex
        head = (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{self.cookies['csrftoken']}\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="comptes.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        return head + content + tail, f"multipart/form-data; boundary={boundary}"


def start_server(port, env):
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not start")


def test_kill_9_during_an_upload_leaves_nothing_half_written(tmp_path):
    from tests.conventions.justificatifs.factories import pdf_bytes

    media, uploads_tmp = tmp_path / "media", tmp_path / "tmp"
    media.mkdir()
    uploads_tmp.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "grants.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(media),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "1",  # plain static storage: no collectstatic for this check
        "TMPDIR": str(uploads_tmp),  # where Django streams uploads above 5 MB
    }
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert setup.returncode == 0, setup.stderr
    convention_pk = int(setup.stdout.strip().splitlines()[-1])
    path = f"/conventions/{convention_pk}/justificatifs/deposer/comptes_annuels/"

    port = free_port()
    server = start_server(port, env)
    try:
        client = Client(port)
        client.login()
        body, content_type = client.multipart(b"%PDF-1.4\n" + os.urandom(12 * 1024 * 1024))
        raw = socket.create_connection(("127.0.0.1", port))
        cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        raw.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"Cookie: {cookies}\r\n\r\n"
            ).encode()
        )
        raw.sendall(body[: len(body) // 2])
        # Wait until the server has streamed part of the file to its temporary upload file.
        deadline = time.monotonic() + 20
        while not any(p.stat().st_size > 0 for p in uploads_tmp.rglob("*.upload*")):
            assert time.monotonic() < deadline, "the upload never reached the server"
            time.sleep(0.1)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        raw.close()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

    # Killed mid-body: no row, and nothing under MEDIA_ROOT (the partial upload was a temp file).
    assert justificatif_rows(env) == 0
    assert media_files(media) == []

    # The server restarts; a complete upload goes through: one row, one file.
    server = start_server(port, env)
    try:
        body, content_type = client.multipart(pdf_bytes())
        response = client.request("POST", path, body, {"Content-Type": content_type})
        assert response.status == 302, response.status
    finally:
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    assert justificatif_rows(env) == 1
    stored = media_files(media)
    assert len(stored) == 1 and re.match(r"justificatifs/\d+/[0-9a-f]{32}\.pdf$", stored[0])

    # What a crash between the write and the commit would leave: found, then removed on demand.
    leftover = media / "justificatifs" / str(convention_pk) / "leftover.pdf"
    leftover.write_bytes(b"%PDF-1.4 partial")
    old = time.time() - 7200
    os.utime(leftover, (old, old))

    def cleanup(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", "cleanup_orphan_files", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "2 fichiers examinés, 1 orphelins" in cleanup()
    assert leftover.exists()
    assert "1 fichiers orphelins supprimés" in cleanup("--delete")
    assert media_files(media) == stored
