"""Marshmallow schemas of the content model and of the API's resources.

Importing this package registers every model type in ``MODEL_SCHEMAS``.
"""

from api.schemas.model import blocks, data, layouts, sections  # noqa: F401 - registers the types
from api.schemas.model.base import MODEL_SCHEMAS, SECTION_TYPES, schema_for_type

__all__ = ["MODEL_SCHEMAS", "SECTION_TYPES", "schema_for_type"]
