"""Full-text search with facet filters: Pagefind, run over the built site.

Why Pagefind and not Material's lunr search (figures in CHANGELOG.md and the
issue note): lunr ships one index of the whole site that every reader's
browser downloads on its first page load, searching or not — it grows with
every story.  Pagefind splits its index into small compressed chunks and the
browser fetches only the chunks a query needs, and only when someone searches.

Pagefind indexes what the templates mark: ``data-pagefind-body`` on pages
worth finding (stories, sites, glossary, hand-written pages),
``data-pagefind-filter`` for the facets and ``data-pagefind-sort`` for the
date.  It runs on the staging folder, before `carehub build` swaps it in, so a
failure here leaves the published site untouched like any other.

Reproducibility: Pagefind 1.5 writes its filter index and metadata in hash
map order, which changes from run to run (Pagefind issue #638: fragments are
stable since 1.3, "other files will still change").  ``canonicalise`` rewrites
those two files with their entries sorted — same data, same format (gzipped
CBOR) — and renames them by content hash, so the same site gives the same
bytes.  The CBOR codec below covers exactly the types Pagefind writes.

Must not change any page: it only adds /pagefind/.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
import subprocess
from pathlib import Path
from typing import Any

OUTPUT_SUBDIR = "pagefind"


def pagefind_executable() -> Path:
    """The Pagefind binary from the locked ``pagefind[bin]`` wheel (no download at build time)."""
    import pagefind_bin

    return Path(pagefind_bin.get_executable())


def index_site(site_dir: Path) -> list[str]:
    """Index ``site_dir`` in place; returns problems (empty when all went well)."""
    try:
        executable = pagefind_executable()
    except (ImportError, FileNotFoundError) as error:
        return [f"Pagefind is not installed ({error}); run scripts/build to refresh .venv."]
    command = [str(executable), "--site", str(site_dir), "--output-subdir", OUTPUT_SUBDIR, "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return [line for line in (result.stderr or result.stdout).splitlines() if line.strip()] or [
            f"Pagefind exited with status {result.returncode}."
        ]
    canonicalise(site_dir / OUTPUT_SUBDIR)
    return []


_MAGIC = b"pagefind_dcd"


def canonicalise(bundle: Path) -> None:
    """Sort Pagefind's filter and metadata files so identical sites give identical bytes."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text("utf-8"))
    for language, info in sorted(entry["languages"].items()):
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        # [version, pages, index chunks, filters [[name, file hash]], sorts, meta fields]
        filters = meta[3]
        renamed = []
        for name, file_hash in filters:
            old = bundle / "filter" / f"{file_hash}.pf_filter"
            content = _read(old)
            # [name, [[value, [page numbers]], ...]] with the values in hash-map order.
            content = [content[0], sorted(content[1], key=lambda pair: pair[0])]
            new_hash = f"{language}_{_digest(content)[:7]}"
            old.unlink()
            _write(bundle / "filter" / f"{new_hash}.pf_filter", content)
            renamed.append([name, new_hash])
        meta[3] = sorted(renamed, key=lambda pair: pair[0])
        new_meta_hash = f"{language}_{_digest(meta)[:10]}"
        meta_path.unlink()
        _write(bundle / f"pagefind.{new_meta_hash}.pf_meta", meta)
        info["hash"] = new_meta_hash
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")


def _digest(value: Any) -> str:
    return hashlib.sha256(_encode(value)).hexdigest()


def _read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_MAGIC):
        raise ValueError(f"{path.name} is not a Pagefind data file")
    value, end = _decode(data, len(_MAGIC))
    if end != len(data):
        raise ValueError(f"{path.name} has trailing bytes")
    return value


def _write(path: Path, value: Any) -> None:
    path.write_bytes(gzip.compress(_MAGIC + _encode(value), compresslevel=9, mtime=0))


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    """One CBOR item (RFC 8949) from ``data`` at ``at``: ints, strings, bytes, arrays, maps, simple values."""
    initial = data[at]
    major, info = initial >> 5, initial & 0x1F
    at += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info in simple:
            return simple[info], at
        if info == 27:
            return struct.unpack(">d", data[at : at + 8])[0], at + 8
        raise ValueError(f"unsupported CBOR simple value {info}")
    if info < 24:
        argument = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        argument = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError("indefinite-length CBOR is not used by Pagefind")
    if major == 0:
        return argument, at
    if major == 1:
        return -1 - argument, at
    if major == 2:
        return bytes(data[at : at + argument]), at + argument
    if major == 3:
        return data[at : at + argument].decode("utf-8"), at + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(argument):
            key, at = _decode(data, at)
            mapping[key], at = _decode(data, at)
        return mapping, at
    raise ValueError(f"unsupported CBOR major type {major}")


def _head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise ValueError("integer too large for CBOR")


def _encode(value: Any) -> bytes:
    if value is False or value is True or value is None:
        return bytes([0xF4 if value is False else 0xF5 if value is True else 0xF6])
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        encoded = value.encode("utf-8")
        return _head(3, len(encoded)) + encoded
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(item) for item in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value.items())
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")
