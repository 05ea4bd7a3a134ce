"""The models of `readiness`, one module per concern; this package names every model."""

from readiness.models.assessments import MAX_SCORE, Assessment, Dimension, DimensionScore, ImprovementAction
from readiness.models.drills import Drill, DrillPlan, RectificationItem
from readiness.models.plans import Plan, PlanVersion, RevisionRequest
from readiness.models.training import Attendance, Course

__all__ = [
    "MAX_SCORE", "Assessment", "Attendance", "Course", "Dimension", "DimensionScore", "Drill", "DrillPlan",
    "ImprovementAction", "Plan", "PlanVersion", "RectificationItem", "RevisionRequest",
]
