"""The models of `alerts`, one module per concern; this package names every model."""

from alerts.models.deployments import Deployment, DeploymentTask
from alerts.models.occasions import HolidayTrigger, MajorEvent, TaskTemplate
from alerts.models.releases import Release, ReleaseEvent, ReleaseVersion

__all__ = ["Deployment", "DeploymentTask", "HolidayTrigger", "MajorEvent", "Release", "ReleaseEvent", "ReleaseVersion",
           "TaskTemplate"]
