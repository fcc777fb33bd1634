"""Write the configuration reference (docs/operations/configuration.md) from the settings code.

The table between the page's two markers is made from ``api/settings.py``: the variable and the
parser of each setting (``_ENVIRONMENT``), its default (what ``Settings.from_env`` gives for an
empty environment) and its one line (``SETTING_DOCS``). The rest of the page is prose.

    python docs/generate_configuration.py          # rewrite the table (make docs does)
    python docs/generate_configuration.py --check  # exit 1 when the page is stale

``tests/api/test_sample_site.py`` fails when the committed table is not this script's output.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.settings import _ENVIRONMENT, SETTING_DOCS, Settings  # noqa: E402

PAGE = ROOT / "docs" / "operations" / "configuration.md"
BEGIN = "<!-- begin: generated from api/settings.py by docs/generate_configuration.py -->"
END = "<!-- end: generated -->"


def shown(value: object) -> str:
    """A default as one would write it in the environment."""
    if value is None or value == ():
        return "unset"
    if isinstance(value, bool):
        return "`1`" if value else "`0`"
    if isinstance(value, tuple):
        return f"`{','.join(value)}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    return f"`{value}`"


def table() -> str:
    """The reference table: one row per environment variable, in the settings' order."""
    # The cache folder's default is built from XDG_CACHE_HOME; show it by that name.
    defaults = Settings.from_env({"XDG_CACHE_HOME": "$XDG_CACHE_HOME"})
    rows = ["| variable | default | what it does |", "| --- | --- | --- |"]
    for name, (variable, _) in _ENVIRONMENT.items():
        meaning = SETTING_DOCS[name].replace("|", "\\|")
        rows.append(f"| `{variable}` | {shown(getattr(defaults, name))} | {meaning} |")
    return "\n".join(rows)


def page_with_table(text: str) -> str:
    """``text`` with the table between its markers replaced by the current one."""
    head, found, rest = text.partition(BEGIN)
    _, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise SystemExit(f"{PAGE}: the markers {BEGIN!r} and {END!r} are missing")
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    current = PAGE.read_text(encoding="utf-8")
    wanted = page_with_table(current)
    if "--check" in argv:
        if current != wanted:
            print(f"{PAGE.relative_to(ROOT)} is stale: run make docs", file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        PAGE.write_text(wanted, encoding="utf-8")
        print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
