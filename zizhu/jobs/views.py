from django.http import Http404
from django.shortcuts import render

from zizhu.jobs.registry import JOB_PAGES
from zizhu.jobs.selectors import jobs_for


def job_list(request):
    jobs = jobs_for(request.user).select_related("created_by")[:100]
    return render(request, "jobs/list.html", {"jobs": jobs})


def job_detail(request, pk: int):
    job = jobs_for(request.user).filter(pk=pk).select_related("created_by").first()
    if job is None:
        raise Http404
    # the job's page sits under the page that started it
    request.breadcrumb = (JOB_PAGES.get(job.kind, "jobs:list"), f"{job.title} #{job.pk}")
    template = "jobs/_progress.html" if request.headers.get("HX-Request") else "jobs/detail.html"
    return render(request, template, {"job": job})
