"""API endpoints for the campaigns area (see DESIGN.md's API section)."""

urlpatterns: list = []
