"""``flask content ...``: work with a content folder from the command line.

The group is a Flask plugin command (an entry point in ``pyproject.toml``), so
``flask content check DIR`` runs without building the app: it reads only the
folder it is given, from any directory, and starts no watcher. Commands that do
need the app (``with_appcontext``, the default) still get it from ``--app api``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import AppGroup, ScriptInfo

from api.content.live.loading import load_content
from api.content.source.problems import Severity
from api.export.command import export_command
from api.logs import configure_logging
from api.settings import Settings
from api.stackbit.style import fetch_site, style_json
from api.startup import check_content_dir

NO_CONTENT = (
    "no content files here: pages are pages/**/*.md, people data/team/*.json, the site's "
    "settings data/config.json and data/style.json"
)


@click.group("content", cls=AppGroup)
def content_cli() -> None:
    """Work with the content folder."""
    configure_logging()


@content_cli.command("check", with_appcontext=False)
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Warnings fail the check too (exit status 1).")
def check(directory: Path | None, strict: bool) -> None:
    """Validate DIRECTORY (default: CONTENT_DIR), one line per problem.

    Lines read `path:line: error|warning: message`, then a summary line; the
    exit status is 1 when there is any error (with --strict: any problem), 0 otherwise.
    """
    settings = Settings.from_env()
    root = directory if directory is not None else settings.content_dir
    check_content_dir(root, setting=None if directory is not None else "CONTENT_DIR")
    with _load_logs_silenced():
        loaded = load_content(root, settings.max_file_bytes)
    suggestions = loaded.suggestions()
    problems = sorted(
        [*loaded.problems, *loaded.missing_translations()],
        key=lambda problem: (problem.path, problem.line),
    )
    for problem in problems:
        line = problem.format(str(root))
        for (path, start), suggestion in suggestions.items():
            if problem.path == path and problem.message.startswith(start):
                line += suggestion
                break
        click.echo(line)
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    warnings = len(problems) - errors
    if not loaded.files and not loaded.problems:
        click.echo(f"{root}: warning: {NO_CONTENT}")
        warnings += 1
    skipped = len(
        {p.path for p in loaded.problems if p.severity is Severity.ERROR} - loaded.files.keys()
    )
    click.echo(
        f"{len(loaded.files)} files loaded, {skipped} left out: "
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    )
    raise SystemExit(1 if errors or (strict and warnings) else 0)


@contextmanager
def _load_logs_silenced() -> Iterator[None]:
    """The loader logs each problem for a server's log; here the lines above are the output."""
    logger = logging.getLogger("api.content")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


CHECKOUT = Path(__file__).resolve().parent.parent  # the API's own checkout


@content_cli.command("stackbit-style", with_appcontext=False)
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--api-url", help="Read /api/site of the API running at this URL instead.")
@click.option("--force", is_flag=True, help="Overwrite OUT even inside the API's own checkout.")
@click.pass_context
def write_stackbit_style(
    context: click.Context, out: Path, api_url: str | None, force: bool
) -> None:
    """Write a Stackbit theme's style.json (Tailwind's theme) to OUT from /api/site.

    The theme's tailwind.config.js reads content/data/style.json; a front end
    built on the API writes it with this before `next build`. With --api-url it
    needs no content folder and runs from any folder; without it, it reads the
    CONTENT_DIR this app serves. A file of the API's own checkout (its sample
    content/data/style.json, say) is only overwritten with --force.
    """
    target = out.resolve()
    if target.exists() and target.is_relative_to(CHECKOUT) and not force:
        click.echo(
            f"error: {out} is a file of the API's own checkout ({CHECKOUT}); write the "
            "theme's style.json in the theme's folder, or pass --force",
            err=True,
        )
        raise SystemExit(1)
    try:
        if api_url:
            site = fetch_site(api_url)
        else:
            app = context.ensure_object(ScriptInfo).load_app()
            site = app.test_client().get("/api/site").get_json()
        text = style_json(site)
    except (OSError, ValueError) as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}")


content_cli.add_command(export_command)
