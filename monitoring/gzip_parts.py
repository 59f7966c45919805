"""One gzip response from parts compressed at different times (pure, no Django).

A cached page is the same for everyone with the same access except its personal parts (the
header with the user's name and logout form, the messages). Its fixed parts are compressed once,
when the page is stored, each as raw deflate ending in a sync flush (a byte boundary, no
reference to what came before); per request only the small personal parts are compressed, and
the pieces are put together as one gzip member, as pigz does with the blocks it compresses in
parallel. The gzip trailer needs the CRC-32 of the whole: the CRCs of the pieces are combined
with zlib's ``crc32_combine``, written out here because Python's zlib module lacks it.
"""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

# gzip header: magic, deflate, no flags, no time, no extra flags, unknown OS.
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_POLY = 0xEDB88320  # CRC-32, reflected


@dataclass(frozen=True)
class Part:
    """Raw deflate of some bytes, with their CRC-32 and length."""

    deflated: bytes
    crc: int
    length: int


def deflate_part(data: bytes, *, last: bool = False, level: int = 3) -> Part:
    """Compress ``data`` so that it can be followed by another part (a sync flush), or end the
    stream (``last``: the final block)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflated = compressor.compress(data) + compressor.flush(
        zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH
    )
    return Part(deflated, zlib.crc32(data), len(data))


def inflate_part(part: Part) -> bytes:
    return zlib.decompressobj(-zlib.MAX_WBITS).decompress(part.deflated)


def gzip_of(parts: Sequence[Part]) -> bytes:
    """One gzip member of the parts in order; the last must have been deflated with ``last``."""
    crc, length = 0, 0
    for part in parts:
        crc = crc32_combine(crc, part.crc, part.length)
        length += part.length
    body = b"".join(part.deflated for part in parts)
    return _HEADER + body + struct.pack("<II", crc & 0xFFFFFFFF, length & 0xFFFFFFFF)


def _multmodp(a: int, b: int) -> int:
    """a × b modulo the CRC polynomial (reflected bit order), as zlib's multmodp."""
    m, product = 1 << 31, 0
    while True:
        if a & m:
            product ^= b
            if a & (m - 1) == 0:
                return product
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


def _powers() -> tuple[int, ...]:
    """x^(2^n) modulo the polynomial for n = 0 … 31."""
    table = [1 << 30]  # x^1
    for _ in range(31):
        table.append(_multmodp(table[-1], table[-1]))
    return tuple(table)


_X2N = _powers()


@functools.lru_cache(maxsize=4096)
def _x2nmodp(n: int, k: int) -> int:
    """x^(n · 2^k) modulo the polynomial. Kept per length: a page's fixed parts, and a user's
    header, have the same length on every request."""
    product = 1 << 31  # x^0
    while n:
        if n & 1:
            product = _multmodp(_X2N[k & 31], product)
        n >>= 1
        k += 1
    return product


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A + B from the CRC-32 of A, that of B and the length of B."""
    return _multmodp(_x2nmodp(length2, 3), crc1) ^ crc2
