"""Pages made from several apps: the home page, the health check (docs/architecture.md)."""
