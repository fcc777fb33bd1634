"""A real nginx serving a static export on loopback, started and stopped by the test itself.

nginx is Debian's ``nginx-light``, installed with apt-get when missing. Each
server gets its own prefix folder, configuration, pid file and logs, and an
``http`` block that includes the export's two files exactly as a deployment
would: ``nginx-http.conf`` in ``http``, ``nginx.conf`` in a ``server``.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import free_port, stop_process_group
from tests.support.waiting import deadline

NGINX_PACKAGE = "nginx-light"
SBIN = "/usr/local/sbin:/usr/sbin:/sbin"


def nginx_binary() -> str:
    """The nginx executable, installing Debian's nginx-light if there is none."""
    found = shutil.which("nginx") or shutil.which("nginx", path=SBIN)
    if found:
        return found
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y"]
    install += ["--no-install-recommends", NGINX_PACKAGE]
    if subprocess.run(install, env=env).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
    found = shutil.which("nginx") or shutil.which("nginx", path=SBIN)
    if not found:
        raise RuntimeError(f"{NGINX_PACKAGE} installed but no nginx binary found")
    return found


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class NginxServer:
    port: int

    def request(
        self, url: str, method: str = "GET", headers: Mapping[str, str] | None = None
    ) -> HttpAnswer:
        """One request on a fresh connection; the body exactly as sent (never decompressed)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=deadline(30))
        try:
            connection.request(method, url, headers=dict(headers or {}))
            response = connection.getresponse()
            return HttpAnswer(response.status, response.getheaders(), response.read())
        finally:
            connection.close()


def server_config(prefix: Path, port: int, export: Path, workers: int = 1) -> str:
    temp_paths = "\n".join(
        f"    {kind}_temp_path {prefix}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the test's files
    return f"""\
{user}worker_processes {workers};
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
{temp_paths}
    include {export}/nginx-http.conf;
    server {{
        listen 127.0.0.1:{port};
        include {export}/nginx.conf;
    }}
}}
"""


@contextmanager
def serve_export(export: Path, workers: int = 1) -> Iterator[NginxServer]:
    """nginx serving ``export`` on a free loopback port until the block ends."""
    nginx = nginx_binary()
    with tempfile.TemporaryDirectory(prefix="export-nginx-") as name:
        prefix = Path(name)
        port = free_port()
        config = prefix / "nginx.conf"
        config.write_text(server_config(prefix, port, export, workers))
        argv = [nginx, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config)]
        checked = subprocess.run([*argv, "-t"], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx rejects the export's configuration:\n{checked.stderr}")
        process = subprocess.Popen(argv, start_new_session=True, stderr=subprocess.DEVNULL)
        try:
            _wait_for_port(port, process, prefix / "error.log")
            yield NginxServer(port)
        finally:
            stop_process_group(process)


def _wait_for_port(
    port: int, process: subprocess.Popen[bytes], error_log: Path, timeout: float = 10.0
) -> None:
    give_up_at = time.monotonic() + deadline(timeout)
    while time.monotonic() < give_up_at:
        if process.poll() is not None:
            errors = error_log.read_text() if error_log.exists() else ""
            raise RuntimeError(f"nginx exited with {process.returncode}: {errors}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise RuntimeError(f"nginx did not listen on port {port} within {deadline(timeout):g} s")
