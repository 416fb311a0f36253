"""API endpoints for the tracker area (see DESIGN.md's API section)."""

urlpatterns: list = []
