"""Every change to an incident, one function per transition (design.md).

Each takes keyword-only arguments, checks who acts and the incident's state (on the row
locked for the transaction), changes it, writes one timeline event and returns the object.
Browser views, the API, admin actions and commands all call these; nothing else writes.

Errors: PermissionDenied (403, with who may), InvalidTransition (409: the state does not
allow it), ValidationError (400: bad input). Any of them leaves nothing half-saved.

The functions live in one module per stage of the lifecycle (base, checks, intake, decision,
response, closing, files); this package re-exports their public names.
"""

from incidents.services.base import (
    E,
    InvalidTransition,
    S,
    actor_role_label,
    checks_remembered,
    is_office,
    leading_group_decider,
)
from incidents.services.checks import (
    CHECKS,
    allowed_actions,
    check_activate,
    check_after_action,
    check_approve_end,
    check_attach,
    check_change_level,
    check_comment,
    check_correct,
    check_decide,
    check_decline,
    check_end,
    check_hq_update,
    check_measure_add,
    check_merge,
    check_return,
    check_submit,
    check_summary,
    check_supplement,
    check_team,
    check_update_draft,
    check_verify,
)
from incidents.services.files import attachment_add
from incidents.services.intake import (
    FUTURE_TOLERANCE,
    INTAKE_FIELDS,
    REQUIRED_TO_SUBMIT,
    first_report_snapshot,
    incident_comment,
    incident_correct,
    incident_file,
    incident_merge,
    incident_return,
    incident_submit,
    incident_supplement,
    incident_update_draft,
    incident_verify,
)
from incidents.services.response import measure_add, measure_update
from incidents.services.decision import (
    _hq_data,
    incident_activate,
    incident_change_level,
    incident_decline,
    incident_hq_update,
)
from incidents.services.closing import (
    AFTER_ACTION_FIELDS,
    incident_after_action_file,
    incident_approve_end,
    incident_close,
    incident_end,
    incident_summary_submit,
    incident_team_name,
)

__all__ = [
    "E",
    "InvalidTransition",
    "S",
    "actor_role_label",
    "checks_remembered",
    "is_office",
    "leading_group_decider",
    "CHECKS",
    "allowed_actions",
    "check_activate",
    "check_after_action",
    "check_approve_end",
    "check_attach",
    "check_change_level",
    "check_comment",
    "check_correct",
    "check_decide",
    "check_decline",
    "check_end",
    "check_hq_update",
    "check_measure_add",
    "check_merge",
    "check_return",
    "check_submit",
    "check_summary",
    "check_supplement",
    "check_team",
    "check_update_draft",
    "check_verify",
    "attachment_add",
    "FUTURE_TOLERANCE",
    "INTAKE_FIELDS",
    "REQUIRED_TO_SUBMIT",
    "first_report_snapshot",
    "incident_comment",
    "incident_correct",
    "incident_file",
    "incident_merge",
    "incident_return",
    "incident_submit",
    "incident_supplement",
    "incident_update_draft",
    "incident_verify",
    "measure_add",
    "measure_update",
    "_hq_data",
    "incident_activate",
    "incident_change_level",
    "incident_decline",
    "incident_hq_update",
    "AFTER_ACTION_FIELDS",
    "incident_after_action_file",
    "incident_approve_end",
    "incident_close",
    "incident_end",
    "incident_summary_submit",
    "incident_team_name",
]
