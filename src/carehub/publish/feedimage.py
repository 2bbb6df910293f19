"""The feed logo: a small PNG drawn and encoded here, byte for byte the same on every machine.

Why code and not a file in docs/: RSS readers need a PNG, GIF or JPEG no wider
than 144 pixels (SVG is not allowed), and the feeds must never point at an
image that a docs/ tidy-up removed.  Why an uncompressed PNG: zlib's output can
differ between zlib builds (zlib, zlib-ng), which would break byte-identical
builds; "stored" deflate blocks are the same everywhere, and a 2-bit palette
keeps the file to a few kilobytes.

This module only draws and encodes; it must not read or write files.
"""

from __future__ import annotations

import functools
import struct
import zlib

SIZE = 144  # the RSS 2.0 maximum width (height may be up to 400)
PATH = "assets/images/feed-logo.png"

# Indigo (the theme's primary colour) to white, in four steps for smooth edges.
_PALETTE = ((0x39, 0x49, 0xAB), (0x88, 0x92, 0xCD), (0xC4, 0xC9, 0xE6), (0xFF, 0xFF, 0xFF))
_SAMPLES = 4  # sub-samples per pixel edge: 16 per pixel


def _inside_heart(x: float, y: float) -> bool:
    """The classic implicit heart curve, (x² + y² − 1)³ − x²y³ ≤ 0, with y pointing up."""
    return (x * x + y * y - 1) ** 3 - x * x * y**3 <= 0


def _coverage(px: int, py: int) -> int:
    """How much of pixel (px, py) the heart covers, as a palette index 0 (none) to 3 (all)."""
    hits = 0
    for sy in range(_SAMPLES):
        for sx in range(_SAMPLES):
            # Map the image to x in [-1.5, 1.5], y in [-1.4, 1.6] (the heart spans about ±1.14 × −1..1.25).
            x = ((px + (sx + 0.5) / _SAMPLES) / SIZE) * 3.0 - 1.5
            y = 1.6 - ((py + (sy + 0.5) / _SAMPLES) / SIZE) * 3.0
            hits += _inside_heart(x, y)
    return round(hits * 3 / (_SAMPLES * _SAMPLES))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _stored_zlib(data: bytes) -> bytes:
    """A zlib stream of uncompressed ("stored") deflate blocks: identical whatever zlib is installed."""
    out = bytearray(b"\x78\x01")
    blocks = [data[i : i + 0xFFFF] for i in range(0, len(data), 0xFFFF)] or [b""]
    for index, block in enumerate(blocks):
        final = 1 if index == len(blocks) - 1 else 0
        out += bytes([final]) + struct.pack("<HH", len(block), len(block) ^ 0xFFFF) + block
    out += struct.pack(">I", zlib.adler32(data))
    return bytes(out)


@functools.cache
def png() -> bytes:
    """The logo: a white heart on indigo, SIZE × SIZE pixels, 2-bit palette PNG."""
    rows = bytearray()
    for py in range(SIZE):
        rows.append(0)  # filter type: none
        # The heart is symmetric about x = 0: draw the left half and mirror it (half the build's cost).
        left = [_coverage(px, py) for px in range(SIZE // 2)]
        row = left + left[::-1]
        for px in range(0, SIZE, 4):
            rows.append(row[px] << 6 | row[px + 1] << 4 | row[px + 2] << 2 | row[px + 3])
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 2, 3, 0, 0, 0)  # bit depth 2, colour type 3 (palette)
    palette = b"".join(bytes(colour) for colour in _PALETTE)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"PLTE", palette)
        + _chunk(b"IDAT", _stored_zlib(bytes(rows)))
        + _chunk(b"IEND", b"")
    )
