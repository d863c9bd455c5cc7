"""Upload inspection: PDF, JPEG and PNG recognised by their content and really parsed;
everything else refused with its code, and nothing stored."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from onewindow.cases.uploads import inspect_upload
from onewindow.common.errors import ValidationFailed


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def a_pdf(name: str = "申请表.pdf") -> SimpleUploadedFile:
    return upload(name, pdf_bytes(), "application/pdf")


def a_png(name: str = "平面图.png") -> SimpleUploadedFile:
    return upload(name, image_bytes("PNG"), "image/png")


def a_jpeg(name: str = "照片.jpg") -> SimpleUploadedFile:
    return upload(name, image_bytes("JPEG"), "image/jpeg")


def refused(f) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as exc:
        inspect_upload(f)
    assert exc.value.fields["file"] == exc.value.message
    return exc.value


def test_real_pdf_png_and_jpeg_are_accepted():
    data = pdf_bytes(2)
    got = inspect_upload(upload("租赁合同.PDF", data))
    assert (got.content_type, got.extension, got.size) == ("application/pdf", "pdf", len(data))
    assert len(got.sha256) == 64
    assert inspect_upload(a_png()).content_type == "image/png"
    assert inspect_upload(a_jpeg("x.jpeg")).extension == "jpg"
    assert inspect_upload(a_jpeg("x.JPG")).content_type == "image/jpeg"


def test_a_pdf_made_by_weasyprint_is_accepted():
    from weasyprint import HTML

    data = HTML(string="<p>卫生管理制度</p>").write_pdf()
    assert inspect_upload(upload("卫生管理制度.pdf", data)).content_type == "application/pdf"


def test_a_png_named_pdf_is_a_content_mismatch():
    err = refused(upload("营业执照.pdf", image_bytes("PNG")))
    assert err.code == "file_content_mismatch"
    assert err.message == "文件内容与扩展名不符"
    assert refused(upload("scan.png", pdf_bytes())).code == "file_content_mismatch"
    assert refused(upload("scan.png", image_bytes("JPEG"))).code == "file_content_mismatch"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "EXE"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "ELF"),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "HTML"),
    ],
)
def test_disguised_executables_and_html_are_refused(data, what):
    err = refused(upload("申请表.pdf", data))
    assert err.code == "file_type_not_allowed"
    assert what in err.message


def test_a_renamed_zip_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.pdf", pdf_bytes())
    err = refused(upload("材料.pdf", buf.getvalue()))
    assert err.code == "file_type_not_allowed"
    assert "ZIP" in err.message


def test_other_extensions_are_refused_even_with_good_content():
    assert refused(upload("申请表.docx", pdf_bytes())).code == "file_type_not_allowed"
    assert refused(upload("申请表", pdf_bytes())).code == "file_type_not_allowed"
    assert refused(upload("a.gif", b"GIF89a" + b"\x00" * 50)).code == "file_type_not_allowed"


def test_an_empty_file_is_refused():
    err = refused(upload("空.pdf", b""))
    assert err.code == "file_empty"
    assert "为空" in err.message


def test_an_oversize_file_is_refused(settings):
    settings.CASE_UPLOAD_MAX_BYTES = 1024 * 1024
    big = image_bytes("PNG") + b"\x00" * (1024 * 1024)
    err = refused(upload("大.png", big))
    assert err.code == "file_too_large"
    assert err.message == "文件大小不能超过1 MB"
    settings.CASE_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    assert inspect_upload(a_png()).size < 2 * 1024 * 1024


def test_the_default_limit_is_ten_mebibytes(settings):
    del settings.CASE_UPLOAD_MAX_BYTES
    from onewindow.cases.uploads import max_upload_bytes

    assert max_upload_bytes() == 10 * 1024 * 1024


def test_a_truncated_pdf_is_corrupt():
    data = pdf_bytes()
    assert refused(upload("a.pdf", data[: len(data) // 2])).code == "file_corrupt"


def test_a_pdf_with_only_a_header_and_an_eof_is_corrupt():
    err = refused(upload("a.pdf", b"%PDF-1.7\n" + b"garbage " * 50 + b"\n%%EOF\n"))
    assert err.code == "file_corrupt"


def test_a_pdf_carrying_an_attachment_or_a_script_is_refused():
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.add_attachment("setup.exe", b"MZ" + b"\x00" * 100)
    buf = io.BytesIO()
    writer.write(buf)
    err = refused(upload("a.pdf", buf.getvalue()))
    assert (err.code, err.message) == ("file_type_not_allowed", "PDF文件含有脚本或附件，不予接收")

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(script)
    buf = io.BytesIO()
    writer.write(buf)
    assert refused(upload("a.pdf", buf.getvalue())).code == "file_type_not_allowed"


def test_truncated_and_broken_images_are_corrupt():
    png = image_bytes("PNG", (200, 200))
    assert refused(upload("a.png", png[: len(png) // 2])).code == "file_corrupt"
    jpeg = image_bytes("JPEG", (200, 200))
    assert refused(upload("a.jpg", jpeg[: len(jpeg) // 2])).code == "file_corrupt"
    assert refused(upload("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)).code == "file_corrupt"


def test_truncation_is_found_even_after_weasyprint_relaxed_pillow():
    import weasyprint  # noqa: F401  (sets PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    jpeg = image_bytes("JPEG", (300, 300))
    assert refused(upload("a.jpg", jpeg[:-300])).code == "file_corrupt"
    png = image_bytes("PNG", (300, 300))
    assert refused(upload("a.png", png[:-30])).code == "file_corrupt"


def test_an_image_too_many_pixels_is_refused(monkeypatch):
    import onewindow.cases.uploads as uploads

    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 100)
    assert refused(upload("a.png", image_bytes("PNG", (20, 20)))).code == "file_too_large"
