"""How an obligation about an early-warning deployment is named and linked (reporting.subjects)."""

from django.urls import reverse
from django.utils.translation import gettext as _


def deployment_label(obligation) -> str:
    """“预警部署 春节 2027-02-05 · 任务 2”, in the active language; no query (deployment is selected)."""
    deployment = obligation.deployment
    return _("Early-warning deployment %(occasion)s %(day)s · task %(number)s") % {
        "occasion": deployment.display_name, "day": deployment.first_day.isoformat(), "number": obligation.sequence}


def deployment_url(obligation) -> str:
    return reverse("alerts:deployment_detail", args=[obligation.deployment_id]) + f"#task-{obligation.sequence}"
