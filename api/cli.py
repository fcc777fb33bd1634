"""``flask content check``: validate a content folder the way the server loads it."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from api.content.loader import load_content
from api.content.models import Severity
from api.examples import EXAMPLES_FILE, write_examples
from api.export.command import export_command

content_cli = AppGroup("content", help="Work with the content folder.")


@content_cli.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def check(directory: Path | None) -> None:
    """Validate DIRECTORY (default: CONTENT_DIR), one line per problem.

    Lines read `path:line: error|warning: message`; the exit status is 1 when
    there is any error, 0 otherwise.
    """
    settings = current_app.extensions["settings"]
    root = directory if directory is not None else settings.content_dir
    if not root.is_dir():
        click.echo(f"{root}: error: content folder not found", err=True)
        raise SystemExit(1)
    loaded = load_content(root, settings.max_file_bytes)
    label = str(directory) if directory is not None else str(root)
    for problem in loaded.problems:
        click.echo(problem.format(label))
    errors = sum(1 for p in loaded.problems if p.severity is Severity.ERROR)
    warnings = len(loaded.problems) - errors
    skipped = len({p.path for p in loaded.problems if p.severity is Severity.ERROR})
    click.echo(
        f"{len(loaded.files)} files loaded, {skipped} left out: "
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    )
    raise SystemExit(1 if errors else 0)


@content_cli.command("examples")
def write_spec_examples() -> None:
    """Write the OpenAPI examples (api/openapi_examples.json) from the bundled site."""
    write_examples()
    click.echo(f"wrote {EXAMPLES_FILE}")


content_cli.add_command(export_command)
