"""The models of `resources`, one module per concern; this package names every model."""
