"""Which files besides stories may be published from ``stories/``, and whether a file's bytes are what its name says.

An allow-list: a file under ``stories/`` that is not story Markdown must be a raster image or a download of a
type listed in :data:`ALLOWED`, and its first bytes must be that type's (CH508 when not: an HTML page named
``.png`` is still a web page).  Everything else is refused with a reason and a hint for that kind of file
(CH507): web pages, scripts, styles and SVG drawings would run on the hub's own address; archives and programs
hide what they hold.

Why hand-written, not a library: the check answers one narrow question, "is this the type its name claims?",
for eleven types, and must tell .docx from .xlsx and .odt from .ods.  python-magic needs the libmagic C library;
filetype (last release 2022) calls every Office file a zip and knows nothing of OpenDocument; puremagic guesses
among hundreds of types from signatures, which is more than we need and still says nothing about CSV, which has
no signature.  The standard library's ``zipfile`` reads an Office file's central directory, which is all we
need.  Fast on purpose: `carehub check` sniffs every such file on every run, reading at most :data:`HEAD_BYTES`
of it (and a zip's central directory).  Standard library only, like storyfiles.py.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass

HEAD_BYTES = 4096


@dataclass(frozen=True, slots=True)
class FileType:
    label: str  # as a contributor would name it: "PNG image", "Word document (.docx)"
    kind: str  # "image" or "download"


ALLOWED: dict[str, FileType] = {
    "png": FileType("PNG image", "image"),
    "jpg": FileType("JPEG image", "image"),
    "jpeg": FileType("JPEG image", "image"),
    "webp": FileType("WebP image", "image"),
    "avif": FileType("AVIF image", "image"),
    "gif": FileType("GIF image", "image"),
    "pdf": FileType("PDF document", "download"),
    "docx": FileType("Word document (.docx)", "download"),
    "xlsx": FileType("Excel workbook (.xlsx)", "download"),
    "pptx": FileType("PowerPoint presentation (.pptx)", "download"),
    "odt": FileType("OpenDocument text (.odt)", "download"),
    "ods": FileType("OpenDocument spreadsheet (.ods)", "download"),
    "odp": FileType("OpenDocument presentation (.odp)", "download"),
    "csv": FileType("CSV file", "download"),
}

ALLOWED_TEXT = (
    "story Markdown (.md), images (.png, .jpg, .jpeg, .webp, .avif, .gif) and downloads "
    "(.pdf, .docx, .xlsx, .pptx, .odt, .ods, .odp, .csv)"
)

# Why a refused kind of file is refused, and what to do instead: (extensions, reason, hint).
_REFUSED: tuple[tuple[frozenset[str], str, str], ...] = (
    (
        frozenset({"svg", "svgz"}),
        "an SVG drawing can hold scripts, which would run on the hub's own address",
        "Export the drawing as a PNG (in most drawing tools: File, Export, PNG) and use that instead.",
    ),
    (
        frozenset({"html", "htm", "xhtml", "shtml", "mht", "mhtml", "xht"}),
        "a web page would be served as a page of the hub, running whatever it holds",
        "Put the page's text in a story (Markdown), or save the page as a PDF and attach that.",
    ),
    (
        frozenset({"js", "mjs", "cjs", "css", "wasm", "map", "json", "jsonld", "webmanifest", "php", "asp", "aspx"}),
        "scripts, styles and code cannot come from a story: they would change how the hub's pages behave",
        "Describe what you need in the pull request; the site's own code is changed by its maintainers.",
    ),
    (
        frozenset({"xml", "xsl", "xslt", "rss", "atom", "xsd", "dtd"}),
        "an XML file can be shown by a browser as a page, with scripts",
        "Put data in a CSV file, or the text in a story.",
    ),
    (
        frozenset({"zip", "7z", "rar", "tar", "gz", "tgz", "bz2", "xz", "zst", "cab", "iso", "jar", "apk"}),
        "nobody can see what an archive holds without opening it",
        "Attach its files one by one (each must be one of the allowed types).",
    ),
    (
        frozenset(
            {"exe", "msi", "com", "scr", "bat", "cmd", "ps1", "sh", "dll", "so", "dylib", "app", "dmg", "pkg", "deb"}
            | {"rpm", "vbs", "py", "pl", "rb", "lnk", "reg", "hta", "appimage", "bin"}
        ),
        "programs and scripts are never published",
        "Link to the publisher's own page for the software instead.",
    ),
    (
        frozenset({"doc", "xls", "ppt", "dot", "xlt", "pot", "docm", "xlsm", "pptm", "dotx", "rtf"}),
        "old Office formats and files with macros can carry code",
        "Save it as .docx, .xlsx or .pptx (without macros), or as a PDF.",
    ),
    (
        frozenset({"tif", "tiff", "bmp", "heic", "heif", "ico", "psd", "raw", "jfif", "jxl", "eps", "ai", "emf"}),
        "the hub publishes images only as PNG, JPEG, WebP, AVIF or GIF, which every browser shows",
        "Save it as a PNG or JPEG.",
    ),
    (
        frozenset({"mp4", "mov", "avi", "mkv", "webm", "mp3", "wav", "m4a", "ogg", "flac", "wmv"}),
        "video and sound files are not kept in the repository",
        "Publish it on a video or audio site and link to it from the story.",
    ),
    (
        frozenset({"txt", "markdown", "mdown", "mkd", "text"}),
        "only files ending in .md (lowercase) are read as stories",
        "Put the text in a story: a file whose name ends in .md.",
    ),
)


def extension(name: str) -> str:
    """The part of a file name after its last dot, lowercased ("" for none, or a name like `.gitkeep`)."""
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot + 1 :].lower() if dot > 0 else ""


def refusal(name: str) -> tuple[str, str] | None:
    """Why a file of this name may not be published, and what to do instead; None for an allowed type."""
    ext = extension(name)
    if ext in ALLOWED:
        return None
    if ext == "md":  # .MD, .Md: not read as a story, so it would be copied as a file
        return (
            "only files ending in .md (lowercase) are read as stories",
            "Rename it so that it ends in .md, in lowercase.",
        )
    for extensions, reason, hint in _REFUSED:
        if ext in extensions:
            return reason, hint
    if not ext:
        return (
            "a file without an extension has no known type",
            "Give it the extension of its type (such as .pdf), or delete it if it is not needed.",
        )
    return (
        f"`.{ext}` is not a type the hub publishes",
        "Save it as one of the allowed types, or delete it if it is not needed.",
    )


def mismatch(path: str, ext: str) -> str | None:
    """None when the file at ``path`` starts as an ``ext`` file must; otherwise what is wrong, as a phrase.

    Raises OSError when the file cannot be read.
    """
    with open(path, "rb") as file:  # noqa: PTH123 - speed: every file, on every check
        head = file.read(HEAD_BYTES)
    if _looks_like_markup(head) and ext != "csv":
        return "it is a web page or XML document"
    if ext == "png":
        ok = head.startswith(b"\x89PNG\r\n\x1a\n")
    elif ext in ("jpg", "jpeg"):
        ok = head.startswith(b"\xff\xd8\xff")
    elif ext == "gif":
        ok = head.startswith((b"GIF87a", b"GIF89a"))
    elif ext == "webp":
        ok = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    elif ext == "avif":
        ok = _is_avif(head)
    elif ext == "pdf":
        ok = head.startswith(b"%PDF-")
    elif ext in ("docx", "xlsx", "pptx"):
        return _office_open_xml(path, ext)
    elif ext in ("odt", "ods", "odp"):
        return _open_document(path, ext)
    elif ext == "csv":
        return _csv(head)
    else:  # pragma: no cover - every allowed extension has a test above
        return "its type is not known"
    return None if ok else "its first bytes are not those of one"


def _looks_like_markup(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n\f").lower()
    # UTF-16 markup (a BOM, then "<") too: a browser sniffing the file would read it as a page.
    return start.startswith(b"<") or start[:4] in (b"\xff\xfe<\x00", b"\xfe\xff\x00<")


def _is_avif(head: bytes) -> bool:
    """An ISO base media file whose ftyp box names the avif (still) or avis (sequence) brand."""
    if head[4:8] != b"ftyp":
        return False
    size = int.from_bytes(head[:4], "big")
    brands = head[8 : min(max(size, 16), len(head))]
    return any(brands[i : i + 4] in (b"avif", b"avis") for i in range(0, len(brands) - 3, 4))


_OOXML_PART = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_ODF_TYPE = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
    "odp": b"application/vnd.oasis.opendocument.presentation",
}


def _zip_names(path: str) -> list[str] | None:
    """The names in a zip file's central directory, or None if it is not a zip file."""
    with open(path, "rb") as file:  # noqa: PTH123
        if file.read(4) != b"PK\x03\x04":
            return None
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return None


def _office_open_xml(path: str, ext: str) -> str | None:
    names = _zip_names(path)
    if names is None or "[Content_Types].xml" not in names:
        return "it is not an Office Open XML file (a zip file holding [Content_Types].xml)"
    part = _OOXML_PART[ext]
    if not any(name.startswith(part) for name in names):
        other = next((e for e, p in _OOXML_PART.items() if any(n.startswith(p) for n in names)), None)
        return f"it is a .{other} file" if other else f"it has no `{part}` part"
    return None


def _open_document(path: str, ext: str) -> str | None:
    if _zip_names(path) is None:
        return "it is not an OpenDocument file (a zip file with a `mimetype` entry)"
    try:
        with zipfile.ZipFile(path) as archive, archive.open("mimetype") as entry:
            declared = entry.read(100).strip()
    except (KeyError, zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, RuntimeError, OSError):
        return "it has no readable `mimetype` entry"
    if declared != _ODF_TYPE[ext]:
        return f"its `mimetype` entry says {declared.decode('ascii', 'replace')!r}"
    return None


def _csv(head: bytes) -> str | None:
    if b"\0" in head:
        return "it holds NUL bytes, so it is not text"
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return "it is not UTF-8 text"
    start = text.lstrip().lower()
    if start.startswith(("<", "#!")):
        return "it starts like a web page, XML or a script"
    return None
