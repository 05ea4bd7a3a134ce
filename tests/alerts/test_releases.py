"""Releases and warnings (信息发布, 市场预警, 消费预警): who drafts, approval by the leader or acting
leader only (四(三)), the frozen published text, versions kept, and each step on the incident's timeline."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alerts import services
from alerts.models import Release, ReleaseEvent
from incidents.selectors import incident_timeline
from incidents.services import InvalidTransition
from tests.alerts.conftest import warning_fields

pytestmark = pytest.mark.django_db


def _draft(cast, who="hotline", kind=Release.Kind.CONSUMER_WARNING, **fields):
    return services.release_draft(actor=cast[who], kind=kind, **(fields or warning_fields()))


def test_the_publicity_section_and_12315_draft_others_may_not(drafters):
    cast = drafters
    release = _draft(cast, "press", Release.Kind.NEWS, title="节日市场安全", body="全局部署节日市场检查。")
    assert (release.status, release.unit.code, release.bureau.code) == ("draft", "publicity", "bureau")
    assert [v.number for v in release.versions.all()] == [1]
    assert _draft(cast).unit.code == "complaints_12315"
    for who in ("office", "station1", "food", "director"):
        with pytest.raises(PermissionDenied, match="新闻宣传"):
            _draft(cast, who)
    assert Release.objects.count() == 2


def test_a_warning_needs_its_level_validity_and_what_it_concerns(drafters):
    with pytest.raises(ValidationError) as caught:
        services.release_draft(actor=drafters["hotline"], kind=Release.Kind.MARKET_WARNING, title="价格预警", body="正文")
    assert set(caught.value.message_dict) == {"level", "valid_until", "affected"}
    fields = warning_fields()
    with pytest.raises(ValidationError) as caught:
        _draft(drafters, **{**fields, "valid_until": fields["valid_from"]})
    assert set(caught.value.message_dict) == {"valid_until"}
    assert not Release.objects.exists()
    # A news release carries no warning fields, whatever was sent.
    news = _draft(drafters, "press", Release.Kind.NEWS, **warning_fields())
    assert (news.level, news.valid_from, news.affected) == (None, None, "")


def test_every_saved_draft_is_a_version(drafters):
    release = _draft(drafters)
    services.release_update(actor=drafters["hotline"], release=release, body="第二稿")
    services.release_update(actor=drafters["hotline"], release=release, body="第二稿")  # unchanged: no version
    services.release_update(actor=drafters["hotline"], release=release, title="第三稿标题")
    versions = list(release.versions.order_by("number").values_list("number", "title", "body"))
    assert versions == [(1, "春节消费提示", "购买烟花爆竹请认准正规渠道。"), (2, "春节消费提示", "第二稿"), (3, "第三稿标题", "第二稿")]
    with pytest.raises(PermissionDenied, match="12315"):
        services.release_update(actor=drafters["press"], release=release, body="别人的稿")


@pytest.mark.parametrize("who", ["office", "deputy", "station1", "hotline", "press", "food"])
def test_only_the_leader_or_acting_leader_approves(drafters, who):
    release = services.release_submit(actor=drafters["hotline"], release=_draft(drafters))
    with pytest.raises(PermissionDenied, match="组长"):
        services.release_approve(actor=drafters[who], release=release)
    release.refresh_from_db()
    assert release.status == "submitted" and release.approved_by is None


def test_the_leader_approves(drafters):
    release = services.release_submit(actor=drafters["hotline"], release=_draft(drafters))
    release = services.release_approve(actor=drafters["director"], release=release, note="同意发布")
    assert (release.status, release.approved_by) == ("approved", drafters["director"])
    step = release.events.get(kind=ReleaseEvent.Kind.APPROVED)
    assert (step.actor, step.delegation, step.note, step.version) == (drafters["director"], None, "同意发布", 1)


def test_the_acting_leader_approves_under_the_delegation(drafters, acting):
    release = services.release_submit(actor=drafters["hotline"], release=_draft(drafters))
    release = services.release_approve(actor=drafters["deputy"], release=release)
    assert release.status == "approved"
    assert release.events.get(kind=ReleaseEvent.Kind.APPROVED).delegation == acting


def test_approval_waits_for_submission_and_returns_go_back_to_the_drafter(drafters):
    release = _draft(drafters)
    with pytest.raises(InvalidTransition):
        services.release_approve(actor=drafters["director"], release=release)
    services.release_submit(actor=drafters["hotline"], release=release)
    with pytest.raises(InvalidTransition):  # waiting for the leader: not editable
        services.release_update(actor=drafters["hotline"], release=release, body="改")
    with pytest.raises(ValidationError):
        services.release_return(actor=drafters["director"], release=release, reason=" ")
    services.release_return(actor=drafters["director"], release=release, reason="措辞再斟酌")
    services.release_update(actor=drafters["hotline"], release=release, body="修改后")
    services.release_submit(actor=drafters["hotline"], release=release)
    services.release_approve(actor=drafters["director"], release=release)
    kinds = list(release.events.values_list("kind", flat=True))
    assert kinds == ["drafted", "submitted", "returned", "saved", "submitted", "approved"]


def test_publishing_freezes_the_text(drafters):
    release = _draft(drafters)
    with pytest.raises(InvalidTransition):
        services.release_publish(actor=drafters["hotline"], release=release)
    services.release_update(actor=drafters["hotline"], release=release, body="定稿")
    services.release_submit(actor=drafters["hotline"], release=release)
    services.release_approve(actor=drafters["director"], release=release)
    with pytest.raises(PermissionDenied):
        services.release_publish(actor=drafters["station1"], release=release)
    release = services.release_publish(actor=drafters["hotline"], release=release)
    assert release.status == "published" and release.published_at is not None
    assert (release.published_version.number, release.published_version.body) == (2, "定稿")
    for attempt in (lambda: services.release_update(actor=drafters["hotline"], release=release, body="发布后改"),
                    lambda: services.release_submit(actor=drafters["hotline"], release=release),
                    lambda: services.release_publish(actor=drafters["hotline"], release=release)):
        with pytest.raises(InvalidTransition, match="正文不能再修改"):
            attempt()
    release.refresh_from_db()
    assert (release.body, release.versions.count(), release.published_version.body) == ("定稿", 2, "定稿")


def test_each_step_is_on_the_incidents_timeline(drafters, file_incident, to_state):
    incident = to_state(file_incident(proposed_level=2), "active")
    release = services.release_draft(actor=drafters["press"], kind=Release.Kind.BRIEFING, incident=incident,
                                     title="情况通报", body="事件已得到控制。")
    services.release_submit(actor=drafters["press"], release=release)
    services.release_approve(actor=drafters["director"], release=release)
    services.release_publish(actor=drafters["director"], release=release)
    entries = [e for e in incident_timeline(incident) if e.kind.startswith("release:")]
    assert [e.kind for e in entries] == ["release:drafted", "release:submitted", "release:approved", "release:published"]
    assert entries[2].actor == drafters["director"] and "情况通报" in entries[0].notes[0]


def test_the_incidents_lead_section_drafts_for_its_incident(drafters, file_incident, to_state):
    incident = to_state(file_incident(proposed_level=2), "active")
    assert incident.hq.lead_section.code == "food_coordination"  # the category's section leads (Ⅱ forms an HQ)
    with pytest.raises(PermissionDenied):  # not about its incident
        services.release_draft(actor=drafters["food"], kind=Release.Kind.NEWS, title="t", body="b")
    release = services.release_draft(actor=drafters["food"], kind=Release.Kind.NEWS, incident=incident, title="t", body="b")
    assert release.unit.code == "food_coordination"
    with pytest.raises(PermissionDenied):  # another station's staff
        services.release_draft(actor=drafters["station1"], kind=Release.Kind.NEWS, incident=incident, title="t", body="b")


def test_an_announced_end_becomes_a_release_draft_through_the_same_approval(drafters, file_incident, to_state):
    from incidents import services as incident_services

    incident = to_state(file_incident(proposed_level=2), "active")
    incident_services.incident_summary_submit(actor=drafters["deputy"], incident=incident, summary="处置总结")
    incident_services.incident_end(actor=drafters["director"], incident=incident, summary="应急状态结束。", announce=True)
    release = Release.objects.get(incident=incident)
    assert (release.kind, release.status, release.end_announcement, release.unit.code) == ("news", "draft", True, "publicity")
    assert release.body == "应急状态结束。"
    services.release_submit(actor=drafters["press"], release=release)
    with pytest.raises(PermissionDenied):
        services.release_approve(actor=drafters["deputy"], release=release)
    services.release_approve(actor=drafters["director"], release=release)
    # Without the mark, no release.
    other = to_state(file_incident(proposed_level=2), "ended")
    assert not Release.objects.filter(incident=other).exists()
