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
