"""The models of `resources`, one module per concern; this package names every model."""

from resources.models.agreements import SupplyAgreement
from resources.models.dispatches import Dispatch
from resources.models.inventory import ReservePoint, Resource, ResourceCheck

__all__ = ["Dispatch", "ReservePoint", "Resource", "ResourceCheck", "SupplyAgreement"]
