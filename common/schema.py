"""The OpenAPI schema (drf-spectacular) describes what the API answers, errors included.

drf-spectacular documents the success answer of each operation; the error answers of api.md
(JSON `{"detail": ...}` or field errors) come from our exception handler and DRF and are the same
for every view, so they are added here once rather than by hand on each view:

- 400 bad input: operations with a body or query parameters;
- 401 without credentials, 403 when the role may not do it: every operation not open to all;
- 404 what the user may not see: operations with a path id, and paginated lists (a page that
  does not exist);
- 409 an action the incident's state does not allow: POSTs on one incident;
- 415 a body in a content type the operation does not take.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

ERROR_SCHEMA = {
    "type": "object",
    "description": 'Either {"detail": "…"} or field errors: {"field": ["message", …], …}.',
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {},
}
DESCRIPTIONS = {
    "400": "Bad input (field errors or detail).",
    "401": "No or invalid credentials.",
    "403": "The role may not do this.",
    "404": "Not found, or not visible to the user.",
    "409": "The incident's state does not allow this action.",
    "415": "The body's content type is not one of those declared.",
}


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        component = ResolvedComponent(name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA)
        self.registry.register_on_missing(component)
        params = operation.get("parameters", [])
        codes = []
        if self.method in ("POST", "PUT", "PATCH") or any(p["in"] == "query" for p in params):
            codes.append("400")
        if not all(issubclass(p, AllowAny) for p in getattr(self.view, "permission_classes", [])):
            codes += ["401", "403"]
        if any(p["in"] == "path" for p in params) or (self.method == "GET" and self._is_list_view()
                                                        and self._get_paginator()):
            codes.append("404")
        if self.method == "POST" and path.startswith("/api/incidents/{"):
            codes.append("409")
        if "requestBody" in operation:
            codes.append("415")
        for code in codes:
            operation["responses"].setdefault(code, {
                "description": DESCRIPTIONS[code], "content": {"application/json": {"schema": component.ref}}})
        return operation
