"""The review flow: the school's operator explains (属实 / 不属实, note, attachment), the
supervising authority's operator accepts or rejects; statuses and the audit trail follow."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import login_as
from zizhu.anomalies.models import Explanation, Finding
from zizhu.anomalies.services import ExplanationError, explanation_review, explanation_submit
from zizhu.audit.models import AuditEvent

from .factories import PDF, make_finding, make_run

GRANT = "/anomalies/national-grant/"


def uploads_ready() -> bool:
    try:
        from zizhu.lib.uploads import check_attachment  # noqa: F401
    except ImportError:
        return False
    return True


needs_uploads = pytest.mark.skipif(
    not uploads_ready(), reason="zizhu.lib.uploads.check_attachment is not there yet"
)


@pytest.fixture
def finding(tree):
    return make_finding(make_run(), "3661000001", rule=9, pid=42)


def explain(client, finding, **data):
    values = {"verdict": "false", "note": "该生已于上学期转出，名单已更正。"} | data
    return client.post(f"/anomalies/findings/{finding.pk}/explain/", values)


def review(client, finding, **data):
    values = {"decision": "accepted", "comment": ""} | data
    return client.post(f"/anomalies/findings/{finding.pk}/review/", values)


def status(finding) -> str:
    return Finding.objects.get(pk=finding.pk).status


def test_the_school_explains_and_the_county_accepts(client, users, finding):
    login_as(client, users["school_operator"])
    response = explain(client, finding)
    assert response.status_code == 302 and response["Location"] == f"{GRANT}{finding.pk}/"
    assert status(finding) == "explained"
    explanation = Explanation.objects.get()
    assert (explanation.verdict, explanation.author.username) == ("false", "school_operator")
    assert explanation.identity == finding.identity

    login_as(client, users["county_operator"])
    body = client.get(f"{GRANT}{finding.pk}/").content.decode()
    assert "该生已于上学期转出" in body and 'data-testid="review-form"' in body
    response = review(client, finding, comment="同意")
    assert response.status_code == 302
    assert status(finding) == "accepted"
    explanation.refresh_from_db()
    assert (explanation.decision, explanation.reviewer.username) == ("accepted", "county_operator")
    actions = list(
        AuditEvent.objects.filter(action__startswith="anomalies.").values_list(
            "action", "actor_username", "object_id"
        )
    )
    assert ("anomalies.explain", "school_operator", str(explanation.pk)) in actions
    assert ("anomalies.review", "county_operator", str(explanation.pk)) in actions
    # accepted is final
    login_as(client, users["school_operator"])
    assert 'data-testid="explain-form"' not in client.get(f"{GRANT}{finding.pk}/").content.decode()
    with pytest.raises(ExplanationError):
        explanation_submit(
            finding=finding, verdict="true", note="x", actor=users["school_operator"]
        )


def test_a_rejected_explanation_is_given_again(client, users, finding):
    explanation_submit(finding=finding, verdict="true", note="属实", actor=users["school_operator"])
    login_as(client, users["prefecture_operator"])  # an authority above the county may review
    response = review(client, finding, decision="rejected")
    assert response.status_code == 200  # a rejection needs a comment
    assert "rejected" not in status(finding)
    review(client, finding, decision="rejected", comment="请补充证明材料")
    assert status(finding) == "rejected"
    login_as(client, users["school_operator"])
    explain(client, finding, verdict="true", note="已补充")
    assert status(finding) == "explained"
    explanation = Explanation.objects.get()
    assert (explanation.note, explanation.decision, explanation.reviewer) == ("已补充", "", None)


def test_only_the_schools_operator_explains(client, users, finding):
    for username, expected in (
        ("school_reviewer", 403),  # no FILE action
        ("county_operator", 403),  # an authority, not the school
        ("county_supervisor", 403),
        ("neighbour_school_operator", 404),  # outside the scope
        ("neighbour_operator", 404),
        ("sysadmin", 403),
    ):
        login_as(client, users[username])
        assert explain(client, finding).status_code == expected, username
    assert status(finding) == "open"
    with pytest.raises(PermissionDenied):
        explanation_submit(
            finding=finding, verdict="true", note="x", actor=users["county_operator"]
        )


def test_only_a_supervising_operator_reviews(client, users, finding):
    explanation_submit(finding=finding, verdict="true", note="属实", actor=users["school_operator"])
    for username, expected in (
        ("school_operator", 403),
        ("school_reviewer", 403),
        ("county_supervisor", 403),
        ("county_leader", 403),
        ("neighbour_operator", 404),
    ):
        login_as(client, users[username])
        assert review(client, finding).status_code == expected, username
    assert status(finding) == "explained"
    with pytest.raises(PermissionDenied):
        explanation_review(
            finding=finding, decision="accepted", comment="", actor=users["county_supervisor"]
        )


def test_nothing_to_review_before_the_school_explains(client, users, finding):
    login_as(client, users["county_operator"])
    body = client.get(f"{GRANT}{finding.pk}/").content.decode()
    assert 'data-testid="review-form"' not in body
    response = review(client, finding)
    assert response.status_code == 200 and status(finding) == "open"
    with pytest.raises(ExplanationError):
        explanation_review(
            finding=finding, decision="accepted", comment="", actor=users["county_operator"]
        )


def test_the_explanation_survives_and_shows_on_the_list(client, users, finding):
    explanation_submit(finding=finding, verdict="true", note="属实", actor=users["school_operator"])
    login_as(client, users["county_leader"])
    response = client.get(GRANT)
    assert [row.finding.status for row in response.context["rows"]] == ["explained"]


@needs_uploads
def test_the_attachment_is_stored_under_a_random_name_and_downloaded_in_scope(
    client, users, finding, settings
):
    login_as(client, users["school_operator"])
    upload = SimpleUploadedFile("转出证明.pdf", PDF, content_type="application/pdf")
    assert explain(client, finding, attachment=upload).status_code == 302
    explanation = Explanation.objects.get()
    assert explanation.attachment_name == "转出证明.pdf"
    assert "转出证明" not in explanation.attachment.name
    assert explanation.attachment.name.startswith("anomalies/explanations/")
    assert (settings.MEDIA_ROOT / explanation.attachment.name).read_bytes() == PDF

    url = f"/anomalies/explanations/{explanation.pk}/attachment/"
    for username in ("school_operator", "county_operator", "prefecture_operator"):
        login_as(client, users[username])
        response = client.get(url)
        assert response.status_code == 200, username
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF
    for username in ("neighbour_operator", "neighbour_school_operator"):
        login_as(client, users[username])
        assert client.get(url).status_code == 404, username
    assert AuditEvent.objects.filter(action="anomalies.attachment").count() == 3


@needs_uploads
def test_an_attachment_that_is_not_a_pdf_or_image_is_refused(client, users, finding):
    login_as(client, users["school_operator"])
    upload = SimpleUploadedFile("证明.pdf", b"<html><script>alert(1)</script></html>")
    response = explain(client, finding, attachment=upload)
    assert response.status_code == 200
    assert response.context["explain_form"].errors["attachment"]
    assert not Explanation.objects.exists() and status(finding) == "open"
