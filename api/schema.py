"""The answers every API endpoint may give besides its own, added to the OpenAPI schema: 404 (no
such object, or a page number past the last page) and 429 (the throttle, api.throttling)."""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


def _error(description: str, **extra) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        **extra,
    }


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation may answer 404 and 429."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("404", _error("No such object, or no such page of the list."))
            responses.setdefault(
                "429",
                _error(
                    "Too many requests from this client: try again after Retry-After seconds.",
                    headers={"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
                ),
            )
    return result
