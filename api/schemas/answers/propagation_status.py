"""What /healthz says of change propagation (``api.propagation.propagation_status``)."""

from __future__ import annotations

from marshmallow import Schema, fields


class DeliverySchema(Schema):
    """The last purge of one cache, or the last delivery of one webhook."""

    url = fields.String(
        required=True, metadata={"description": "Without credentials or query string."}
    )
    contentVersion = fields.String(required=True)
    state = fields.String(
        required=True,
        metadata={
            "description": "`pending`, `retrying`, `acknowledged` (a purge), `delivered` (a "
            "webhook) or `failed` (given up after its tries)."
        },
    )
    attempts = fields.Integer(required=True)
    httpStatus = fields.Integer(metadata={"description": "Absent when no answer came."})
    error = fields.String(metadata={"description": "Why the last try failed."})
    at = fields.String(required=True, metadata={"description": "When it was last tried (UTC)."})


class WebhookStatusSchema(Schema):
    """One webhook: its last delivery and its counts since start."""

    url = fields.String(required=True)
    lastDelivery = fields.Nested(DeliverySchema)
    pending = fields.Integer(required=True)
    delivered = fields.Integer(required=True)
    failed = fields.Integer(required=True)


class PropagatedChangeSchema(Schema):
    """The last change this replica propagated."""

    contentVersion = fields.String(required=True)
    previousVersion = fields.String(required=True)
    keys = fields.Integer(required=True, metadata={"description": "Changed content keys."})
    paths = fields.Integer(required=True, metadata={"description": "Changed page paths."})
    purged = fields.Boolean(required=True, metadata={"description": "Every cache acknowledged."})
    laggingWorkers = fields.List(
        fields.Integer(), required=True, metadata={"description": "Workers still behind."}
    )
    at = fields.String(required=True)


class PropagationSchema(Schema):
    """Caches purged, webhooks delivered and event streams open, for this replica."""

    lastChange = fields.Nested(PropagatedChangeSchema)
    purges = fields.List(fields.Nested(DeliverySchema), required=True)
    webhooks = fields.List(fields.Nested(WebhookStatusSchema), required=True)
    eventStreams = fields.Integer(
        required=True, metadata={"description": "Streams open on the worker that answered."}
    )
