"""The static export: every public answer of the API as files, and the configurations that
serve them at the API's own URLs with the same bytes and headers (``api.export.site``).

The package itself loads nothing: ``flask content export`` is registered with every app
(``api.cli``), and what it needs is imported when it runs, so that a server, which never
exports, does not pay for the export's modules at its start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.export.site import ExportError, ExportRefused, ExportResult, export_site

__all__ = ["ExportError", "ExportRefused", "ExportResult", "export_site"]


def __getattr__(name: str) -> Any:
    """``from api.export import export_site`` (and the rest of ``__all__``), loaded on use."""
    if name in __all__:
        from api.export import site

        return getattr(site, name)
    raise AttributeError(f"module 'api.export' has no attribute {name!r}")
