"""Checking an uploaded material file by its content, not its name.

``inspect_upload`` accepts PDF, JPEG and PNG only. A file is identified by its magic bytes
and then really parsed (pypdf opens the PDF and reads its pages; Pillow verifies and decodes
the image), so a renamed ZIP, executable or HTML page, a truncated PDF or a broken image is
refused. The name's extension must agree with the content. Every refusal is a
``ValidationFailed`` with a Chinese message and one of the codes ``file_empty``,
``file_too_large``, ``file_type_not_allowed``, ``file_content_mismatch``, ``file_corrupt``.

The size limit is ``settings.CASE_UPLOAD_MAX_BYTES`` (default 10 MiB), read at call time.
Nothing is written anywhere: the caller stores the file only after it passed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from onewindow.common.errors import ValidationFailed

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Images larger than this are refused before decoding (decompression bombs).
MAX_IMAGE_PIXELS = 60_000_000

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {"pdf": PDF, "jpg": JPEG, "jpeg": JPEG, "png": PNG}
CANONICAL_EXTENSION = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
_MAGIC = [(b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG)]
# Recognised only to say what a refused file really is.
_OTHER_MAGIC = [
    (b"PK\x03\x04", "ZIP"),
    (b"MZ", "EXE"),
    (b"\x7fELF", "ELF"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7Z"),
    (b"GIF8", "GIF"),
    (b"\xd0\xcf\x11\xe0", "OLE"),
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inspected:
    content_type: str
    extension: str  # canonical: pdf, jpg or png
    size: int
    sha256: str


def max_upload_bytes() -> int:
    return int(getattr(settings, "CASE_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _refuse(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={"file": message})


def _megabytes(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:.0f}" if mb == int(mb) else f"{mb:.1f}"


def _read(uploaded_file: Any, limit: int) -> bytes:
    """The whole content (at most ``limit`` + 1 bytes, so an oversize file is recognised
    without reading all of it)."""
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    chunks: list[bytes] = []
    total = 0
    if hasattr(uploaded_file, "chunks"):
        for chunk in uploaded_file.chunks():
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                break
    else:
        data = uploaded_file.read(limit + 1)
        chunks.append(data)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    return b"".join(chunks)


def sniff(head: bytes) -> str | None:
    """The allowed content type the magic bytes announce, or None."""
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def _what_it_is(head: bytes) -> str:
    for magic, name in _OTHER_MAGIC:
        if head.startswith(magic):
            return name
    text = head[:512].lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html", b"<?xml", b"<svg", b"<script")):
        return "HTML"
    return ""


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise _refuse(_("PDF文件不完整或已损坏"), "file_corrupt")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise _refuse(_("不接受加密的PDF文件，请去除密码后上传"), "file_type_not_allowed")
            pages = len(reader.pages)
            if pages < 1:
                raise _refuse(_("PDF文件没有页面"), "file_corrupt")
            reader.pages[0].mediabox  # noqa: B018  (parses the first page)
            root: Any = reader.trailer["/Root"].get_object()
            names: Any = root.get("/Names")
            names = names.get_object() if names is not None else {}
    except ValidationFailed:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        log.info("PDF refused: %s", exc)
        raise _refuse(_("PDF文件已损坏，无法打开"), "file_corrupt") from None
    action: Any = root.get("/OpenAction")
    action = action.get_object() if action is not None else None
    scripted = isinstance(action, dict) and action.get("/S") in ("/JavaScript", "/Launch")
    if scripted or "/JavaScript" in names or "/EmbeddedFiles" in names:
        raise _refuse(_("PDF文件含有脚本或附件，不予接收"), "file_type_not_allowed")


def _jpeg_complete(data: bytes) -> bool:
    """True if an end-of-image marker follows the last start-of-scan. Entropy-coded data
    stuffs every 0xFF with 0x00, so FF D9 there is a real marker. (Pillow's own truncation
    check is switched off process-wide by WeasyPrint's ``LOAD_TRUNCATED_IMAGES = True``.)"""
    return data.rfind(b"\xff\xd9") > data.rfind(b"\xff\xda") > 0


def _check_image(data: bytes, content_type: str) -> None:
    expected = "JPEG" if content_type == JPEG else "PNG"
    if content_type == JPEG and not _jpeg_complete(data):
        raise _refuse(_("图片文件不完整或已损坏"), "file_corrupt")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.format != expected:
                    raise _refuse(_("图片文件已损坏，无法打开"), "file_corrupt")
                width, height = img.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _refuse(_("图片尺寸过大"), "file_too_large")
                img.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()  # verify() does not decode; load() finds truncated data
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_("图片尺寸过大"), "file_too_large") from None
    except (OSError, SyntaxError, ValueError, Image.UnidentifiedImageError) as exc:
        log.info("image refused: %s", exc)
        raise _refuse(_("图片文件已损坏，无法打开"), "file_corrupt") from None


def inspect_upload(uploaded_file: Any) -> Inspected:
    """Check ``uploaded_file`` (a Django ``UploadedFile`` or any file-like object with a
    ``name``); return what it is, or raise ``ValidationFailed`` with the reason."""
    limit = max_upload_bytes()
    allowed = _("仅接受PDF、JPEG、PNG格式的文件")
    name = str(getattr(uploaded_file, "name", "") or "")
    extension = PurePath(name).suffix.lower().lstrip(".")
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise _refuse(_("文件大小不能超过%(mb)s MB") % {"mb": _megabytes(limit)}, "file_too_large")
    data = _read(uploaded_file, limit)
    if not data:
        raise _refuse(_("文件为空，请重新选择"), "file_empty")
    if len(data) > limit:
        raise _refuse(_("文件大小不能超过%(mb)s MB") % {"mb": _megabytes(limit)}, "file_too_large")
    if extension not in EXTENSIONS:
        raise _refuse(allowed, "file_type_not_allowed")
    content_type = sniff(data[:16])
    if content_type is None:
        what = _what_it_is(data[:1024])
        message = (
            _("%(allowed)s（该文件实际为%(what)s）") % {"allowed": allowed, "what": what}
            if what
            else allowed
        )
        raise _refuse(message, "file_type_not_allowed")
    if EXTENSIONS[extension] != content_type:
        raise _refuse(_("文件内容与扩展名不符"), "file_content_mismatch")
    if content_type == PDF:
        _check_pdf(data)
    else:
        _check_image(data, content_type)
    return Inspected(
        content_type=content_type,
        extension=CANONICAL_EXTENSION[content_type],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
