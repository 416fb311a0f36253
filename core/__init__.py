"""What every app may use and that knows no app: site URLs, proxies and origins, locks,
process-local copies, SQL rows, the admin site and its helpers (docs/architecture.md)."""
