"""The models of `alerts`, one module per concern; this package names every model."""
