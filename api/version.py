"""The one version of this service: the package's, the OpenAPI document's and ``/api``'s."""

VERSION = "1.0.0"
