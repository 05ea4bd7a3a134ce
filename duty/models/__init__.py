"""The models of `duty`, one module per concern; this package names every model."""

from duty.models.log import DutyLogEntry

__all__ = ["DutyLogEntry"]
