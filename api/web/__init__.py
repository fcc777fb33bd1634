"""The HTTP side: JSON encoding, the OpenAPI wiring, and the delivery layer in front of Flask."""
