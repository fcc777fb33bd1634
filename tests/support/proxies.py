"""Varnish and nginx with the configurations the project ships (deploy/), started on free
loopback ports in front of given backends and stopped by the test. Installed with apt-get
when missing, as the Makefile's test targets promise."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import free_port, stop_process_group
from tests.support.sites import ROOT
from tests.support.waiting import deadline

DEPLOY = ROOT / "deploy"
SBIN = "/usr/local/sbin:/usr/sbin:/sbin"


def ensure_installed(tool: str, packages: Sequence[str], modules: Sequence[str] = ()) -> str:
    """The path of ``tool``; Debian ``packages`` are installed first when it is missing, or
    when one of ``modules`` (packages without a command of their own) is."""
    path = shutil.which(tool) or shutil.which(tool, path=SBIN)
    missing_module = any(
        subprocess.run(["dpkg", "-s", module], capture_output=True).returncode != 0
        for module in modules
    )
    if path is None or missing_module:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        command = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y",
                   "--no-install-recommends", *packages]  # fmt: skip
        if subprocess.run(command, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=True)
            subprocess.run(command, env=env, capture_output=True, check=True)
        path = shutil.which(tool) or shutil.which(tool, path=SBIN)
    assert path is not None, f"{tool} is not installed"
    return path


@dataclass
class Proxy:
    port: int
    workdir: Path

    def request(
        self,
        path: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        source: str | None = None,
        timeout: float = 10,
    ) -> tuple[int, dict[str, str], bytes]:
        source_address = (source, 0) if source else None
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=deadline(timeout), source_address=source_address
        )
        try:
            connection.request(method, path, headers=headers or {})
            answer = connection.getresponse()
            return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
        finally:
            connection.close()


@dataclass
class Varnish(Proxy):
    def stats(self) -> dict[str, int]:
        """varnishstat's counters (MAIN.cache_hit, ...), as numbers."""
        varnishstat = shutil.which("varnishstat") or "varnishstat"
        argv = [varnishstat, "-n", str(self.workdir / "n"), "-1", "-j"]
        done = subprocess.run(argv, capture_output=True, text=True, check=True)
        document = json.loads(done.stdout)
        counters = document.get("counters", document)
        return {
            name: int(value["value"])
            for name, value in counters.items()
            if isinstance(value, dict) and "value" in value
        }

    def purge(self, keys: str | None = None, version: str | None = None, source: str | None = None):
        headers = {}
        if keys is not None:
            headers["xkey-purge"] = keys
        if version is not None:
            headers["X-Content-Version"] = version
        return self.request("/", "PURGE", headers, source=source)


def varnish_backends(ports: Sequence[int], event_ports: Sequence[int] | None = None) -> str:
    """deploy/varnish/backends.vcl with the replicas' ports put in (for any number of them)."""
    text = (DEPLOY / "varnish" / "backends.vcl").read_text()
    api = re.search(r"backend replica_1 \{.*?\n\}\n", text, re.DOTALL)
    events = re.search(r"backend replica_1_events \{.*?\n\}\n", text, re.DOTALL)
    assert api is not None and events is not None
    assert '.port = "5000"' in api[0] and '.port = "5001"' in events[0]
    pairs = []
    for n, (port, event_port) in enumerate(zip(ports, event_ports or ports, strict=True), 1):
        pairs.append(api[0].replace("replica_1", f"replica_{n}").replace('"5000"', f'"{port}"'))
        pairs.append(
            events[0].replace("replica_1", f"replica_{n}").replace('"5001"', f'"{event_port}"')
        )
    first = text.index("backend replica_1 {")
    last = text.index("sub vcl_init")
    text = text[:first] + "\n".join(pairs) + "\n" + text[last:]
    for director, suffix in (("replicas", ""), ("event_replicas", "_events")):
        adds = "".join(
            f"    {director}.add_backend(replica_{n}{suffix});\n" for n in range(1, len(ports) + 1)
        )
        text, replaced = re.subn(
            rf"(    {director}\.add_backend\(replica_\d{suffix}\);\n)+", adds, text
        )
        assert replaced == 1
    assert text.count("backend replica_") == 2 * len(ports)
    return text


@contextmanager
def running_varnish(
    backend_ports: Sequence[int], memory: str = "256m", port: int | None = None
) -> Iterator[Varnish]:
    """varnishd with deploy/varnish/content-api.vcl in front of ``backend_ports``."""
    varnishd = ensure_installed("varnishd", ["varnish", "varnish-modules"], ["varnish-modules"])
    with tempfile.TemporaryDirectory(prefix="content-api-varnish-") as name:
        workdir = Path(name)
        shutil.copy(DEPLOY / "varnish" / "content-api.vcl", workdir / "content-api.vcl")
        (workdir / "backends.vcl").write_text(varnish_backends(backend_ports))
        port = port or free_port()
        argv = [
            varnishd, "-F", "-j", "none", "-n", str(workdir / "n"),
            "-a", f"127.0.0.1:{port}", "-f", str(workdir / "content-api.vcl"),
            "-p", f"vcl_path={workdir}", "-s", f"malloc,{memory}",
            "-p", "default_ttl=0", "-p", "thread_pool_min=20",
        ]  # fmt: skip
        log = (workdir / "varnishd.log").open("wb")
        process = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            proxy = Varnish(port, workdir)
            _wait_until_answering(proxy, process, workdir / "varnishd.log")
            yield proxy
        finally:
            stop_process_group(process)
            log.close()


def nginx_site(port: int, backend_ports: Sequence[int], cache_dir: Path) -> str:
    """deploy/nginx/content-api.conf with the test's listen port, backends (the API's and the
    event streams' alike) and cache folder."""
    text = (DEPLOY / "nginx" / "content-api.conf").read_text()
    servers = "".join(f"    server 127.0.0.1:{p};\n" for p in backend_ports)
    text, replaced = re.subn(r"(    server 127\.0\.0\.1:500\d;[^\n]*\n)+", servers, text)
    assert replaced == 2
    text, replaced = re.subn(r"listen 8080;", f"listen 127.0.0.1:{port};", text)
    assert replaced == 1
    text, replaced = re.subn(r"/var/cache/nginx/content-api", str(cache_dir), text)
    assert replaced == 1
    return text


@contextmanager
def running_nginx(backend_ports: Sequence[int]) -> Iterator[Proxy]:
    """nginx with deploy/nginx/content-api.conf inside a minimal main configuration."""
    nginx = ensure_installed("nginx", ["nginx-light"])
    with tempfile.TemporaryDirectory(prefix="content-api-nginx-") as name:
        workdir = Path(name)
        port = free_port()
        (workdir / "site.conf").write_text(nginx_site(port, backend_ports, workdir / "cache"))
        temp_paths = "\n".join(
            f"    {kind}_temp_path {workdir}/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        user = "user root;\n" if os.geteuid() == 0 else ""
        (workdir / "nginx.conf").write_text(
            f"{user}worker_processes 1;\ndaemon off;\npid {workdir}/nginx.pid;\n"
            f"error_log {workdir}/error.log warn;\nevents {{ worker_connections 256; }}\n"
            f"http {{\n    access_log off;\n{temp_paths}\n    include {workdir}/site.conf;\n}}\n"
        )
        argv = [nginx, "-p", str(workdir), "-e", str(workdir / "error.log"),
                "-c", str(workdir / "nginx.conf")]  # fmt: skip
        log = (workdir / "nginx.out").open("wb")
        process = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            proxy = Proxy(port, workdir)
            _wait_until_answering(proxy, process, workdir / "error.log")
            yield proxy
        finally:
            stop_process_group(process)
            log.close()


def _wait_until_answering(proxy: Proxy, process: subprocess.Popen[bytes], log: Path) -> None:
    give_up_at = time.monotonic() + deadline(60)
    while time.monotonic() < give_up_at:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            status, _, _ = proxy.request("/healthz", timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"not answering /healthz with 200:\n{log.read_text()[-3000:]}")
