import pytest

from reporting.models import ReportingRule, ReportingRuleChange

pytestmark = pytest.mark.django_db


def test_an_administrator_changes_a_limit_and_the_change_is_kept(cast, login):
    rule = ReportingRule.objects.get(kind="after_action_report", level=2)
    response = login("admin").post(f"/admin/reporting/reportingrule/{rule.pk}/change/", {
        "limit_minutes": "", "limit_days": "20", "changes-TOTAL_FORMS": "0", "changes-INITIAL_FORMS": "0",
        "changes-MIN_NUM_FORMS": "0", "changes-MAX_NUM_FORMS": "1000"})
    assert response.status_code == 302, response.content.decode()[:500]
    rule.refresh_from_db()
    assert (rule.limit_minutes, rule.limit_days) == (None, 20)
    change = ReportingRuleChange.objects.get()
    assert (change.old_limit_days, change.new_limit_days, change.changed_by) == (30, 20, cast["admin"])


def test_a_rule_has_one_limit_not_two(cast, login):
    rule = ReportingRule.objects.get(kind="after_action_report", level=2)
    response = login("admin").post(f"/admin/reporting/reportingrule/{rule.pk}/change/", {
        "limit_minutes": "60", "limit_days": "20", "changes-TOTAL_FORMS": "0", "changes-INITIAL_FORMS": "0",
        "changes-MIN_NUM_FORMS": "0", "changes-MAX_NUM_FORMS": "1000"})
    assert response.status_code == 200
    rule.refresh_from_db()
    assert (rule.limit_minutes, rule.limit_days) == (None, 30)
    assert not ReportingRuleChange.objects.exists()


def test_rules_cannot_be_edited_by_others(cast, login):
    rule = ReportingRule.objects.get(kind="first_report", level=1)
    assert login("office").get(f"/admin/reporting/reportingrule/{rule.pk}/change/").status_code == 302
    assert ReportingRule.objects.get(pk=rule.pk).limit_minutes == 60
