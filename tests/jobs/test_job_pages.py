"""A job's page is titled by its kind in Chinese, sits under the page that started it, and says
未写入 (never 已完成 100%) when its input was refused."""

from tests.conftest import login_as
from zizhu.jobs.models import Job, Status


def _job(user, **result) -> Job:
    return Job.objects.create(
        kind="recipients_import",
        params={},
        status=Status.DONE,
        created_by=user,
        unit=user.unit,
        result=result,
    )


def test_a_refused_import_says_nothing_was_written(client, users):
    user = users["school_operator"]
    job = _job(user, ok=False, problem_count=2, problems=[[2, "姓名", "不能为空"]] * 2)
    login_as(client, user)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "<h1>资助名单导入 <small>" in html
    assert "未写入" in html and "发现 2 处错误" in html and "100%" not in html
    crumbs = html.split('data-testid="breadcrumbs"')[1].split("</ol>")[0]
    assert "资助名单" in crumbs and "上传名单" in crumbs and "系统管理" not in crumbs
    assert "recipients_import" not in html
    listing = client.get("/jobs/").content.decode()
    assert "资助名单导入" in listing and "未写入" in listing


def test_a_written_import_shows_its_progress(client, users):
    user = users["school_operator"]
    job = _job(user, ok=True)
    login_as(client, user)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "100%" in html and "未写入" not in html


# the list's row as the template wrote it before the rows were built in Python
ROW_TEMPLATE = (
    "{% load i18n %}<tr><td><a href=\"{% url 'jobs:detail' job.pk %}\">{{ job.pk }}</a></td>"
    "<td>{{ job.title }}</td><td>{{ job.get_status_display }}</td><td>{% if job.wrote_nothing %}"
    '<span class="risk-high">{% translate "Nothing written" %}</span>{% else %}'
    '<progress max="100" value="{{ job.percent }}"></progress> {{ job.percent }}%{% endif %}'
    '</td><td>{{ job.created_by.shown_name|default:"—" }}</td>'
    '<td>{{ job.created_at|date:"Y-m-d H:i" }}</td></tr>'
)


def test_the_list_rows_are_what_the_template_wrote(client, users):
    """Every kind of row (done, refused, running part-way, failed, nobody's, a name to
    escape) reads as the template wrote it, in Chinese, newest first."""
    from django.template import engines
    from django.utils import translation

    user = users["school_operator"]
    user.display_name = "张<伟>&"
    user.save(update_fields=["display_name"])
    jobs = [
        _job(user, ok=True),
        _job(user, ok=False),
        Job.objects.create(
            kind="recipients_import",
            params={},
            status=Status.RUNNING,
            done=3,
            total=8,
            created_by=user,
            unit=user.unit,
        ),
        Job.objects.create(
            kind="unknown_kind",
            params={},
            status=Status.FAILED,
            created_by=None,
            unit=user.unit,
        ),
    ]
    login_as(client, user)
    html = client.get("/jobs/").content.decode()
    template = engines["django"].from_string(ROW_TEMPLATE)
    with translation.override("zh-hans"):
        expected = [template.render({"job": job}) for job in sorted(jobs, key=lambda j: -j.pk)]
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    shown = [line.strip() for line in body.splitlines() if line.strip()]
    assert shown == expected
    assert "张&lt;伟&gt;&amp;" in html and "3/8" not in html and "37%" in html
