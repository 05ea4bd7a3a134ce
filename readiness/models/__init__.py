"""The models of `readiness`, one module per concern; this package names every model."""

from readiness.models.assessments import MAX_SCORE, Assessment, Dimension, DimensionScore, ImprovementAction
from readiness.models.drills import Drill, DrillPlan, RectificationItem
from readiness.models.plans import Plan, PlanReview, PlanVersion, RevisionRequest
from readiness.models.training import Attendance, Course

__all__ = [
    "MAX_SCORE", "Assessment", "Attendance", "Course", "Dimension", "DimensionScore", "Drill", "DrillPlan",
    "ImprovementAction", "Plan", "PlanReview", "PlanVersion", "RectificationItem", "RevisionRequest",
]
