"""The help pages: the manual's chapters in the page shell, its pictures and its PDF. Every
signed-in user may read every chapter (the manual describes screens, not data)."""

import re

from django.http import FileResponse, Http404
from django.shortcuts import render

from zizhu.web.manual import IMAGE_DIR, chapter_for, chapters
from zizhu.web.manual_pdf import build_pdf, is_current, pdf_path

IMAGE_NAME = re.compile(r"^[a-z0-9-]+\.png$")
PDF_NAME = "学生资助管理信息系统用户操作手册.pdf"


def _contents():
    return [(slug, chapter.title) for slug, (chapter, _html) in chapters().items()]


def help_index(request):
    own = chapter_for(request.user)
    outline = [(slug, chapter, slug == own) for slug, (chapter, _html) in chapters().items()]
    return render(request, "web/help.html", {"outline": outline, "contents": _contents()})


def help_chapter(request, slug: str):
    found = chapters().get(slug)
    if found is None:
        raise Http404
    chapter, html = found
    return render(
        request,
        "web/help_chapter.html",
        {"chapter": chapter, "html": html, "contents": _contents(), "slug": slug},
    )


def help_image(request, name: str):
    path = IMAGE_DIR / name
    if not IMAGE_NAME.match(name) or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), content_type="image/png")


def help_pdf(request):
    path = pdf_path()
    if not is_current(path):
        build_pdf(path)
    return FileResponse(path.open("rb"), as_attachment=True, filename=PDF_NAME)
