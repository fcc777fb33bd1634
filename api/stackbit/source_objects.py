"""The objects ``sourcebit-source-filesystem`` (0.2) hands sourcebit, made from the snapshot.

What ``/api/stackbit/objects`` serves under ``STACKBIT_COMPAT=sourcebit``, for the source
plugin this project ships (``clients/sourcebit-source-content-api``), so that a theme's own
resolvers get from the API what they got from the files:

- every file of ``content/pages`` then ``content/data``, each folder sorted by path, read
  by ``@stackbit/utils``' ``parseFile`` (js-yaml 4 ``JSON_SCHEMA``): a page is
  ``{__metadata, frontmatter, markdown}``, a data file ``{__metadata, ...its JSON}``;
- ``__metadata``: ``id``, ``source``, ``sourceName``, ``relSourcePath``, ``relProjectPath``,
  then what matching the file to a model adds: ``modelType``, ``modelName`` and, for a
  page, ``urlPath`` (its path, lower case);
- in a data file, each object that a field of its model holds (``model<...>``, and
  objects with a ``type`` in a ``reference`` field) gets ``__metadata: {modelType,
  modelName}`` after its own keys, as that plugin's ``addMetadata`` does; pages get none
  (their fields are under ``frontmatter``, where that plugin does not look).

The models are this API's (``api.schemas.model``, the model of ``../shared/model``), not
the theme's ``.stackbit/models``: a page's model is its ``layout:``; a data file's is
named by its path (``config.json``, ``style.json``), its ``type``, or for a file without
one under ``team/``, ``Person``. Left to the plugin: ``sourcePath`` (where the theme's
build keeps its content folder), ``id`` and ``relProjectPath`` where the theme's folders
are not ``content/pages`` and ``content/data``, and the merged ``...:data`` object.
Never known here: ``modelLabel``, which only the theme's model files name.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from api.content.source.model_types import PAGE_TYPES
from api.schemas.model import MODEL_SCHEMAS
from api.schemas.model.fields import OneOfModels, Resolved
from api.stackbit.js import code_unit_order
from api.stackbit.theme_files import DATA_DIR, PAGES_DIR, SiteFiles, ThemeFile

SOURCE = "sourcebit-source-filesystem"
PAGES, DATA = "pages", "data"
_DATA_MODELS_BY_FILE = {"config.json": "Config", "style.json": "ThemeStyle"}
_DATA_MODELS = frozenset({"Config", "Person", "ThemeStyle"})
_PEOPLE_FOLDER = "team/"


def source_objects(files: SiteFiles) -> list[dict[str, Any]]:
    """Every file's object, in the plugin's order (pages, then data, each sorted by path)."""
    objects = []
    for folder, name, group in ((PAGES_DIR, PAGES, files.pages), (DATA_DIR, DATA, files.data)):
        for file in sorted(group, key=lambda file: code_unit_order(file.id)):
            found = _source_object(file, folder, name)
            if found is not None:
                objects.append(found)
    return objects


def url_path(rel_source_path: str) -> str:
    """``urlPathFromFilePath``: ``blog/Post-One.md`` -> ``/blog/post-one``, ``index`` dropped."""
    directory, _, name = rel_source_path.rpartition("/")
    parts = [part for part in directory.split("/") if part]
    stem = name.rsplit(".", 1)[0] if "." in name[1:] else name
    if stem != "index":
        parts.append(stem)
    return "/" + "/".join(parts).lower()


def _source_object(file: ThemeFile, folder: str, source_name: str) -> dict[str, Any] | None:
    data = file.read_as_stackbit_utils()
    if not isinstance(data, dict):
        return None  # the plugin logs "failed to parse file" and leaves it out
    relative = file.id[len(folder) + 1 :]
    found: dict[str, Any] = {
        "__metadata": {
            "id": file.id,
            "source": SOURCE,
            "sourceName": source_name,
            "relSourcePath": relative,
            "relProjectPath": file.id,
        }
    }
    found.update(data)
    if source_name == PAGES:
        front_matter = data.get("frontmatter")
        layout = front_matter.get("layout") if isinstance(front_matter, dict) else None
        if isinstance(layout, str) and layout:
            return _with_metadata(found, layout, "page", url_path(relative))
        return found
    model = _data_model(relative, data.get("type"))
    return _with_metadata(found, model, "data") if model is not None else found


def _data_model(relative: str, written_type: Any) -> str | None:
    """The model a data file matches: by its path, else its ``type``, else its folder."""
    by_file = _DATA_MODELS_BY_FILE.get(relative)
    if by_file is not None:
        return by_file
    if written_type:
        if not isinstance(written_type, str):
            return None
        known = written_type in MODEL_SCHEMAS
        return written_type if written_type in _DATA_MODELS or not known else None
    return "Person" if relative.startswith(_PEOPLE_FOLDER) else None


def _model_type(name: str) -> str:
    if name in PAGE_TYPES:
        return "page"
    return "data" if name in _DATA_MODELS else "object"


def _with_metadata(value: Any, model: str, model_type: str, page_url: str | None = None) -> Any:
    """``addMetadata``: the model's object fields mapped, then ``__metadata`` assigned."""
    if not isinstance(value, dict):
        return value  # the plugin logs "value must be an object" and keeps it
    declared = _declared_fields(model)
    mapped = {
        key: _map_field(item, declared[key]) if key in declared else item
        for key, item in value.items()
    }
    written = mapped.get("__metadata")
    metadata = dict(written) if isinstance(written, dict) else {}
    metadata.update(modelType=model_type, modelName=model)
    if page_url is not None:
        metadata["urlPath"] = page_url
    mapped["__metadata"] = metadata
    return mapped


def _declared_fields(model: str) -> dict[str, fields.Field]:
    schema = MODEL_SCHEMAS.get(model)
    if schema is None:
        return {}
    return {field.data_key or name: field for name, field in schema._declared_fields.items()}


def _map_field(value: Any, field: fields.Field) -> Any:
    """``mapObjectField``: lists item by item, ``model<...>`` fields and embedded objects
    of ``reference`` fields get their model's metadata; anything else as it is."""
    if isinstance(field, fields.List):
        if not isinstance(value, list):
            return value
        return [_map_field(item, field.inner) for item in value]
    if isinstance(field, Resolved):
        name = value.get("type") if isinstance(value, dict) else None
        if isinstance(name, str) and name in MODEL_SCHEMAS:
            return _with_metadata(value, name, _model_type(name))
        return value
    if isinstance(field, fields.Nested):
        name = getattr(field.schema, "model_name", None)
        return _with_metadata(value, name, _model_type(name)) if name else value
    if isinstance(field, OneOfModels):
        names = field.type_names
        if len(names) == 1:
            return _with_metadata(value, names[0], _model_type(names[0]))
        name = value.get("type") if isinstance(value, dict) else None
        if isinstance(name, str) and name in MODEL_SCHEMAS:
            return _with_metadata(value, name, _model_type(name))
        return value
    return value
