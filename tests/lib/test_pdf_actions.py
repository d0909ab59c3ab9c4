"""PDFs that act or carry files, written by pikepdf, refused with the reason in Chinese.

Each action kind sits in each place a viewer runs it from, once with plain objects and once
with every dictionary inside a compressed object stream, where no byte search sees the keys.
"""

import pytest

from tests.hostile_files import (
    ACTIONS,
    PLACES,
    action_reason,
    pdf_with_action,
    pdf_with_document_script,
    pdf_with_embedded_file,
    pdf_with_file_annotation,
    plain_pdf,
)
from zizhu.lib.uploads import UploadRejected, check_attachment

LAYOUTS = {"plain objects": False, "object streams": True}


def refusal(data: bytes) -> str:
    with pytest.raises(UploadRejected) as caught:
        check_attachment("凭证.pdf", data)
    return caught.value.message


def reason(data: bytes) -> str:
    with pytest.raises(UploadRejected) as caught:
        check_attachment("凭证.pdf", data)
    return caught.value.reason


@pytest.mark.parametrize("object_streams", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_a_plain_voucher_with_an_opening_view_and_an_inner_link_passes(object_streams):
    data = plain_pdf(object_streams=object_streams)

    assert check_attachment("凭证.pdf", data).content == data


@pytest.mark.parametrize("object_streams", LAYOUTS.values(), ids=LAYOUTS.keys())
@pytest.mark.parametrize("kind", ACTIONS)
@pytest.mark.parametrize("place", PLACES)
def test_it_refuses_each_action_in_each_place(place, kind, object_streams):
    data = pdf_with_action(place, kind, object_streams=object_streams)
    if object_streams:
        assert f"/{kind}".encode() not in data  # compressed: only a parser sees it

    assert action_reason(place, kind) in refusal(data)


def test_the_open_action_to_a_unc_path_says_it_opens_another_file():
    data = pdf_with_action("open_action", "GoToR", object_streams=True)

    assert refusal(data) == "文件含有自动执行的动作（打开其他文件），已拒收"
    assert reason(data) == "PDF automatic action: GoToR"


@pytest.mark.parametrize("object_streams", LAYOUTS.values(), ids=LAYOUTS.keys())
@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (pdf_with_document_script, "文件含有自动执行的动作（运行脚本），已拒收"),
        (pdf_with_embedded_file, "文件含有嵌入的文件，已拒收"),
        (pdf_with_file_annotation, "文件含有嵌入的文件，已拒收"),
    ],
    ids=["names tree /JavaScript", "names tree /EmbeddedFiles", "file attachment annotation"],
)
def test_it_refuses_document_scripts_and_embedded_files(build, reason, object_streams):
    assert reason in refusal(build(object_streams=object_streams))
