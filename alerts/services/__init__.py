"""State changes of alerts, one function per transition (keyword-only, checking the actor's right,
in one transaction): deployments (alerts.services.deployments) and releases (alerts.services.releases).

Errors: PermissionDenied (403, saying who may), InvalidTransition (409), ValidationError (400)."""

from alerts.services.common import office_of, require_office
from alerts.services.deployments import (
    deployment_open,
    deployment_task_complete,
    major_event_delete,
    major_event_save,
    occasions_due,
    open_deployments,
    task_template_save,
    task_templates_for,
)
from alerts.services.releases import (
    check_approve,
    check_edit,
    check_publish,
    drafting_units,
    release_approve,
    release_draft,
    release_publish,
    release_return,
    release_submit,
    release_update,
)

__all__ = ["check_approve", "check_edit", "check_publish", "deployment_open", "deployment_task_complete", "drafting_units",
           "major_event_delete", "major_event_save", "occasions_due", "office_of", "open_deployments", "release_approve",
           "release_draft", "release_publish", "release_return", "release_submit", "release_update", "require_office",
           "task_template_save", "task_templates_for"]
