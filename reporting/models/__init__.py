"""Reports and the legal reporting deadlines (plan 三(二)), and their enforcement.

Each deadline is a row (an Obligation) created in the same transaction as the incident event
that causes it; a Celery beat sweep marks overdue rows and writes outbox rows, which a delivery
task sends once. Late, concealed or missing reports are pursued under the plan (五(三)), so
these rows are the accountability record: they are never deleted, and a late one stays late.

The models live by concern in this package (rules, reports, obligations, messages, deliveries);
this module names them all, as `reporting.models` always has.
"""

from reporting.models.deliveries import DeliveryBounce, ReportDelivery, SweepHeartbeat
from reporting.models.messages import Notification, Outbox
from reporting.models.obligations import Obligation
from reporting.models.reports import DocumentCounter, Report
from reporting.models.rules import REPORT_FACTS, SEVERE_ONLY, Kind, ReportingRule, ReportingRuleChange

__all__ = ["REPORT_FACTS", "SEVERE_ONLY", "DeliveryBounce", "DocumentCounter", "Kind", "Notification", "Obligation", "Outbox", "Report",
           "ReportDelivery", "ReportingRule", "ReportingRuleChange", "SweepHeartbeat"]
