"""The models of `readiness`, one module per concern; this package names every model."""
