"""Marshmallow schemas: the content model (``model``, the one registry of model types that
validation, the documents and the OpenAPI document share) and the answers' envelopes and
query arguments around it (``answers``), which only the HTTP side uses."""
