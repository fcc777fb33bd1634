"""The static export (loaded when used, see ``api.export``): every public answer of the API as
files, and the configurations that serve them at the API's own URLs with the same bytes and
headers.

``export_site(app, OUT)`` asks the app for each answer the producers list (see
``producers``), writes them under a temporary folder beside OUT with a ``.gz``
beside each answer the live server compresses, writes ``manifest.json``,
``nginx.conf`` (+ ``nginx-http.conf``), ``_headers`` and ``_redirects``, and
swaps the folder into OUT's place. Drafts are never exported: every request is
a public one, without the preview token.

Over a previous export of the same site, by the same generator with the same
settings, the export is incremental (``previous``): the answers none of whose
content keys changed since are linked from it, only the others are asked of the
app; ``full=True`` (``--full``) asks for every answer. Either way the result is
the same, file for file, and OUT is swapped whole.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
from flask import Flask

from api.content.documents import Documents
from api.content.source.problems import ContentProblem, Severity
from api.export.fetch import Response, UnexpectedAnswer, WsgiClient
from api.export.headers import Probes, UnsupportedHeaders, plan_headers
from api.export.identity import identity
from api.export.naming import Target, UnsafeName
from api.export.nginx import ConfigurationError, nginx_config
from api.export.previous import read_previous, state_bytes
from api.export.producers import Crawl, Export, Producer, producers_for
from api.export.publishing import (
    GENERATOR,
    MANIFEST,
    ExportRefused,
    check_destination,
    publish,
    temporary_folder,
    write_state,
)
from api.export.static_hosts import headers_file, redirects_file
from api.export.writer import AnswerWriter, Item, Written, write_all
from api.settings import Settings

__all__ = ["ExportError", "ExportRefused", "ExportResult", "export_site"]

NOT_FOUND_PROBE = "/api/export-probe/not-found"
FORMAT_VERSION = 1


class ExportError(RuntimeError):
    """The export could not be made; OUT is left as it was."""


@dataclass(frozen=True)
class ExportResult:
    out: Path
    answers: int
    files: int
    bytes: int
    gzip_bytes: int
    seconds: float
    content_version: str
    problems: tuple[ContentProblem, ...]
    full_reason: str | None = None  # why every answer was asked for (None: incremental)
    rendered: int = 0  # answers asked of the app (the others were kept)
    removed: int = 0  # answers of the previous export that are no more

    @property
    def errors(self) -> tuple[ContentProblem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)


def export_site(
    app: Flask,
    out: Path,
    *,
    nginx_root: Path | None = None,
    workers: int | None = None,
    producers: Sequence[Producer] | None = None,
    full: bool = False,
) -> ExportResult:
    """Export every public answer of ``app`` into ``out``; see the module docstring."""
    started = time.perf_counter()
    check_destination(out)
    settings: Settings = app.extensions["settings"]
    repository = app.extensions["content"]
    watcher = app.extensions.get("content_watcher")
    if watcher is not None:
        watcher.stop()  # one snapshot from the first answer to the last
    snapshot = repository.snapshot
    client = WsgiClient(app.wsgi_app)
    crawl = Crawl(client, Documents(snapshot, snapshot.public_view()[0]))
    if producers is None:  # the table, per locale on a site of several
        producers = producers_for(snapshot.locales is not None)
    made_by = identity(settings, producers)
    if full:
        previous, full_reason = None, "--full"
    else:
        previous, full_reason = read_previous(out, made_by, snapshot, producers)
    folder = temporary_folder(out)
    try:
        items, same = _items(producers, crawl)
        writer = AnswerWriter(client, folder, tag_header=settings.cache_tag_header, reuse=previous)
        answers = write_all(writer, items, workers or _cores())
        answers += _same_answers(answers, same, writer)
        if repository.snapshot is not snapshot:
            raise ExportError("the content changed during the export; run it again")
        _check_unique(answers)
        probes = _probes(client, settings)
        plan = plan_headers(answers, probes)
        root = (nginx_root or out).absolute()
        config = nginx_config(producers, answers, plan, probes, root, settings.cors_origins)
        (folder / "nginx.conf").write_text(config.server, encoding="utf-8")
        (folder / "nginx-http.conf").write_text(config.http, encoding="utf-8")
        (folder / "_headers").write_text(headers_file(answers, plan), encoding="utf-8")
        (folder / "_redirects").write_text(redirects_file(producers, answers), encoding="utf-8")
        manifest = _manifest(answers, snapshot.version)
        (folder / MANIFEST).write_bytes(manifest)
        write_state(out, state_bytes(made_by, snapshot, answers, producers, manifest))
        publish(folder, out)
    except (UnexpectedAnswer, UnsupportedHeaders, ConfigurationError, UnsafeName) as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise ExportError(str(error)) from error
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    files = {written.file: written for written in answers}.values()
    return ExportResult(
        out=out,
        answers=len(answers),
        files=len(files),
        bytes=sum(w.size for w in files),
        gzip_bytes=sum(w.gzip_size or 0 for w in files),
        seconds=time.perf_counter() - started,
        content_version=snapshot.version,
        problems=snapshot.problems,
        full_reason=full_reason or None,
        rendered=sum(1 for w in files if not w.kept),
        removed=len(previous.answers.keys() - {w.target for w in answers}) if previous else 0,
    )


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _items(
    producers: Sequence[Producer], crawl: Crawl
) -> tuple[list[Item], list[tuple[int, Export]]]:
    """What to render (the largest lists first) and what answers the same as another target."""
    items: list[Item] = []
    same: list[tuple[int, Export]] = []
    for index, producer in enumerate(producers):
        for produced in producer.targets(crawl):
            export = produced if isinstance(produced, Export) else Export(produced)
            if export.same_as is None:
                items.append(Item(index, export.target))
            else:
                same.append((index, export))
    rendered = {item.target for item in items}
    if same and not _same_answer_holds(crawl.client, same[0][1], rendered):
        items += [Item(index, export.target) for index, export in same]
        same = []
    return items, same


def _same_answer_holds(client: WsgiClient, export: Export, rendered: set[Target]) -> bool:
    """Whether the contract that makes two URLs one answer still holds (checked on one pair)."""
    assert export.same_as is not None
    if export.same_as not in rendered:
        return False
    first, second = client.answer(export.target), client.answer(export.same_as)
    return (first.plain, first.gzip, first.not_modified) == (
        second.plain,
        second.gzip,
        second.not_modified,
    )


def _same_answers(
    answers: list[Written], same: list[tuple[int, Export]], writer: AnswerWriter
) -> list[Written]:
    by_target = {written.target: written for written in answers}
    extra = []
    for index, export in same:
        assert export.same_as is not None
        original = by_target.get(export.same_as)
        if original is None:
            extra += writer.export(Item(index, export.target))
        else:
            extra.append(original.same_answer_for(export.target, index))
    return extra


def _check_unique(answers: list[Written]) -> None:
    """Two URLs may share a file only as one answer; files may not differ only by case."""
    targets = Counter(written.target for written in answers)
    repeated = [target.url for target, count in targets.items() if count > 1]
    if repeated:
        raise ExportError(f"exported twice: {', '.join(sorted(repeated)[:5])}")
    by_lower: dict[str, str] = {}
    for written in answers:
        known = by_lower.setdefault(written.file.lower(), written.file)
        if known != written.file:
            raise ExportError(f"{known} and {written.file} differ only by case")


def _probes(client: WsgiClient, settings: Settings) -> Probes:
    """The live answers to an unknown URL, a refused method and a preflight, and CORS."""
    not_found = client.request("GET", NOT_FOUND_PROBE)
    not_allowed = client.request("POST", "/api/site")
    preflight = client.request("OPTIONS", "/api/site")
    expected = {"unknown URL": (not_found, 404), "POST": (not_allowed, 405)}
    expected["OPTIONS"] = (preflight, 204)
    for name, (response, status) in expected.items():
        if response.status != status:
            raise ExportError(f"the live server answers a {name} with {response.status}")
    cors_extra: tuple[tuple[str, str], ...] = ()
    if "*" not in settings.cors_origins:
        origin = settings.cors_origins[0]
        without = client.request("GET", "/api/site")
        with_origin = client.request("GET", "/api/site", headers={"Origin": origin})
        cors_extra = _added_headers(without, with_origin)
    return Probes(not_found, not_allowed, preflight, cors_extra)


def _added_headers(before: Response, after: Response) -> tuple[tuple[str, str], ...]:
    remaining = Counter((name.lower(), value) for name, value in before.headers)
    added = []
    for name, value in after.headers:
        key = (name.lower(), value)
        if remaining[key]:
            remaining[key] -= 1
        else:
            added.append((name, value))
    return tuple(added)


def _manifest(answers: list[Written], version: str) -> bytes:
    entries = []
    for written in sorted(answers, key=lambda w: (w.producer, w.target.url)):
        entry = {
            "url": written.target.url,
            "file": written.file,
            "mediaType": written.media_type,
            "etag": written.etag,
            "size": written.size,
            "keys": list(written.keys) if written.keys is not None else None,
        }
        if written.gzip_size is not None:
            entry["gzip"] = {
                "file": written.file + ".gz",
                "etag": written.etag[:-1] + '-gzip"',
                "size": written.gzip_size,
            }
        entries.append(entry)
    manifest = {
        "generator": GENERATOR,
        "formatVersion": FORMAT_VERSION,
        "contentVersion": version,
        "exportedAt": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "answers": entries,
    }
    return orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n"
