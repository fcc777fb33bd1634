"""``flask content export OUT``: the static export from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("export")
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--allow-errors",
    is_flag=True,
    help="Exit 0 when content files have errors (the valid ones are exported either way).",
)
@click.option(
    "--nginx-root",
    type=click.Path(path_type=Path),
    help="Where nginx.conf serves the files from, if not OUT (an export deployed elsewhere).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes that render answers (default: one per core).",
)
@click.option(
    "--full",
    is_flag=True,
    help="Ask the app for every answer, even over a previous export that could be continued.",
)
@with_appcontext
def export_command(
    out: Path, allow_errors: bool, nginx_root: Path | None, workers: int | None, full: bool
) -> None:
    """Write every public answer of CONTENT_DIR as files under OUT.

    The same bytes and headers as the live server, a .gz beside each answer it
    compresses, OUT/manifest.json, OUT/nginx.conf (inside a server block, with
    OUT/nginx-http.conf inside http) and OUT/_headers for static hosts. OUT is
    replaced in one step, and only if it is empty or a previous export. Over a
    previous export of the same site (same version, same settings), only the
    answers whose content changed since are made again; the others are kept
    (--full: every answer made again). Content errors are reported like `content
    check` does; the files without errors are exported and the exit status is 1
    unless --allow-errors.
    """
    from api.export import ExportError, ExportRefused, export_site  # loaded when used

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        result = export_site(app, out, nginx_root=nginx_root, workers=workers, full=full)
    except (ExportError, ExportRefused) as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    content_dir = str(app.extensions["settings"].content_dir)
    for problem in result.problems:
        click.echo(problem.format(content_dir), err=True)
    if result.full_reason is None:
        click.echo(
            f"incremental: {result.rendered} of {result.files} files made again, "
            f"{result.files - result.rendered} kept, {result.removed} answers removed"
        )
    elif result.full_reason != "no previous export in OUT":
        click.echo(f"full export: {result.full_reason}")
    click.echo(
        f"exported {result.answers} answers ({result.files} files, {result.bytes / 1e6:.1f} MB, "
        f"gzip {result.gzip_bytes / 1e6:.1f} MB) of content {result.content_version[:12]} "
        f"to {out} in {result.seconds:.1f} s"
    )
    if result.errors:
        count = len(result.errors)
        errors = f"{count} content error{'s' * (count != 1)}"
        click.echo(f"{errors}: the files named above are not in the export", err=True)
        if not allow_errors:
            raise SystemExit(1)
