"""The models of `duty`, one module per concern; this package names every model."""
