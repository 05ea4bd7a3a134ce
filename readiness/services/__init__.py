"""The services of readiness, one module per concern; this package names every public service."""

from readiness.services.assessments import (assessment_create, assessment_finalize, improvement_action_add,
                                            improvement_action_complete)
from readiness.services.base import is_office_of
from readiness.services.drills import drill_create, drill_plan_create, drill_record, rectification_add, rectification_complete
from readiness.services.plans import (in_force, may_draft, plan_create, plan_review_record, plan_revision_request,
                                      plan_version_approve, plan_version_draft)
from readiness.services.training import attendance_record, course_create, trained_for

__all__ = [
    "assessment_create", "assessment_finalize", "attendance_record", "course_create", "drill_create", "drill_plan_create",
    "drill_record", "improvement_action_add", "improvement_action_complete", "in_force", "is_office_of", "may_draft",
    "plan_create", "plan_review_record", "plan_revision_request", "plan_version_approve", "plan_version_draft", "rectification_add",
    "rectification_complete", "trained_for",
]
