"""Running the portal in production: the refusal of unsafe settings, the health and
readiness answers, metrics, error reporting and the request id in logs."""
