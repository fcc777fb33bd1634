"""Entries: a file as the editing API shows it (``{"path", "etag", ...}``), what a write's
preconditions ask of the file as it is, a merge patch, the shape of an entry, and a commit's
default message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.content.source.parsed import file_key
from api.editing.operations import Operation
from api.editing.refusal import Refusal
from api.editing.round_trip import Unreadable, read_entry


def etag_of(path: str, data: bytes) -> str:
    """A file's ETag: its content key (the blake2b of its path and bytes), quoted."""
    return f'"{file_key(path, data).hex()}"'


def entry_answer(path: str, data: bytes) -> dict[str, Any]:
    """``{"path", "etag", ...the entry}``, or a 409 for a file that does not read."""
    try:
        entry = read_entry(path, data)
    except Unreadable as error:
        raise Refusal(
            409,
            f"{path} does not read as an entry: {error.message}; PUT a whole new entry with "
            "this ETag to replace it",
            {"errors": [{"path": path, "line": error.line, "message": error.message}]},
            {"ETag": etag_of(path, data)},
        ) from None
    return {"path": path, "etag": etag_of(path, data), **entry}


def check_preconditions(op: Operation, current: bytes | None) -> None:
    if op.if_none_match is not None:
        if op.if_none_match.strip() != "*":
            raise Refusal(400, "If-None-Match: only * (create the file) is understood here")
        if current is not None:
            raise _stale(op.path, current, "the file exists already")
        if op.op != "put":
            raise Refusal(400, "If-None-Match: * creates a file: with PUT only")
        return
    if current is None:
        raise Refusal(412, f"{op.path} does not exist (any more)", {"path": op.path})
    assert op.if_match is not None
    etag = etag_of(op.path, current)
    wanted = [tag.strip() for tag in op.if_match.split(",")]
    if "*" not in wanted and etag not in wanted:
        raise _stale(op.path, current, "the entry changed since it was read")


def _stale(path: str, current: bytes, why: str) -> Refusal:
    etag = etag_of(path, current)
    try:
        entry: dict[str, Any] | None = entry_answer(path, current)
    except Refusal:
        entry = None
    extra: dict[str, Any] = {"path": path}
    if entry is not None:
        extra["current"] = entry
    return Refusal(
        412, f"{path}: {why}; it is now as in 'current' (ETag {etag})", extra, {"ETag": etag}
    )


def check_shape(path: str, document: Any, markdown: bool) -> None:
    """400 for an entry of the wrong shape (what is in it is the validation's to judge)."""
    if not isinstance(document, dict):
        raise Refusal(400, f"{path}: an entry is a JSON object")
    if markdown:
        if not isinstance(document.get("frontMatter"), dict):
            raise Refusal(400, f"{path}: 'frontMatter' (an object) is required for a .md file")
        if not isinstance(document.get("body"), str):
            raise Refusal(
                400, f"{path}: 'body' (a string) is required; PATCH changes part of an entry"
            )
        extra = set(document) - {"frontMatter", "body"}
    else:
        if not isinstance(document.get("data"), dict):
            raise Refusal(400, f"{path}: 'data' (an object) is required for a .json file")
        extra = set(document) - {"data"}
    if extra:
        raise Refusal(400, f"{path}: unknown fields in the entry: {', '.join(sorted(extra))}")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: ``patch`` applied to ``target`` (a new value; neither is changed)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def error_of(path: str, line: int, where: str, message: str) -> dict[str, Any]:
    return {"path": path, "line": line, "message": f"{where}: {message}" if where else message}


def default_message(operations: list[Operation], current: Mapping[str, bytes | None]) -> str:
    def verb(op: Operation) -> str:
        if op.op == "delete":
            return "Delete"
        return "Create" if current[op.path] is None else "Edit"

    if len(operations) == 1:
        return f"{verb(operations[0])} {operations[0].path}"
    listed = "\n".join(f"- {verb(op).lower()} {op.path}" for op in operations)
    return f"Edit {len(operations)} files\n\n{listed}"
