"""The manual as one PDF (WeasyPrint), from the same Markdown and pictures as the help pages.

`python manage.py build_manual [--out FILE]` builds it for a release; the help page's download
serves the copy under the data folder and rebuilds it when a chapter or a picture is newer.
"""

from pathlib import Path

from django.conf import settings
from django.utils.html import escape

from zizhu.web.manual import IMAGE_DIR, MANUAL_DIR, chapter_files, chapter_read

TITLE = "学生资助管理信息系统 用户操作手册"
CSS = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm;
  @bottom-center { content: counter(page); font-size: 9pt; color: #666; } }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
  font-size: 10.5pt; line-height: 1.6; color: #1d2733; }
h1 { font-size: 20pt; color: #1f5fa8; break-before: page; border-bottom: 2px solid #1f5fa8; }
h2 { font-size: 14pt; color: #1f5fa8; margin-top: 1.4em; break-after: avoid; }
h3 { font-size: 12pt; break-after: avoid; }
img { max-width: 100%; border: 1px solid #d8dee6; margin: 4pt 0; }
p:has(img) { break-inside: avoid; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border: 1px solid #bbb; padding: 3pt 5pt; vertical-align: top; text-align: left; }
th { background: #eef2f7; }
strong { font-weight: normal; color: #0b4f9c; background: #eef2f7; padding: 0 2pt; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 9pt; }
.cover { text-align: center; padding-top: 70mm; }
.cover h1 { break-before: auto; border: 0; font-size: 26pt; }
.toc { break-before: page; }
.toc a { color: inherit; text-decoration: none; }
.toc a::after { content: leader('.') target-counter(attr(href), page); }
.toc li { list-style: none; }
"""


def pdf_path() -> Path:
    return Path(settings.DATA_DIR) / "manual" / "zizhu-manual.pdf"


def sources() -> list[Path]:
    return [*chapter_files(), *sorted(IMAGE_DIR.glob("*.png"))]


def is_current(path: Path) -> bool:
    if not path.exists():
        return False
    built = path.stat().st_mtime_ns
    return all(source.stat().st_mtime_ns <= built for source in sources())


def manual_html() -> str:
    """The whole manual as one HTML document: cover, contents, the chapters in order."""

    def link(kind, target):
        if kind == "img":
            return (IMAGE_DIR / target).as_uri()
        slug, anchor = target
        return anchor or f"#chapter-{slug}"

    parts, toc = [], []
    for path in chapter_files():
        chapter, html = chapter_read(path, link)
        parts.append(f'<section id="chapter-{chapter.slug}">{html}</section>')
        toc.append(f'<li><a href="#chapter-{chapter.slug}">{escape(chapter.title)}</a></li>')
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{TITLE}</title><style>{CSS}</style></head><body>"
        f'<div class="cover"><h1>{TITLE}</h1></div>'
        f'<div class="toc"><h2>目录</h2><ul>{"".join(toc)}</ul></div>'
        f"{''.join(parts)}</body></html>"
    )


def build_pdf(out: Path | None = None) -> Path:
    from weasyprint import HTML  # a heavy import, only when a PDF is built

    out = out or pdf_path()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".part")
    HTML(string=manual_html(), base_url=str(MANUAL_DIR)).write_pdf(partial)
    partial.replace(out)
    return out
