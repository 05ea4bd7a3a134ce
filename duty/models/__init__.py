"""The models of `duty`, one module per concern; this package names every model."""

from duty.models.log import DutyLogEntry
from duty.models.roster import Handover, Shift

__all__ = ["DutyLogEntry", "Handover", "Shift"]
