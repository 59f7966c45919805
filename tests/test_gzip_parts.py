"""A gzip response put together from parts compressed at different times (monitoring/gzip_parts.py)."""

from __future__ import annotations

import gzip
import os
import zlib

from hypothesis import given
from hypothesis import strategies as st

from monitoring.gzip_parts import crc32_combine, deflate_part, gzip_of, inflate_part


@given(st.binary(max_size=3000), st.binary(max_size=3000))
def test_the_combined_crc_is_the_crc_of_both_parts_together(first: bytes, second: bytes) -> None:
    assert crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(
        first + second
    )


@given(st.lists(st.binary(max_size=2000), min_size=1, max_size=6))
def test_parts_compressed_apart_make_one_gzip_stream_of_them_all(pieces: list[bytes]) -> None:
    parts = [deflate_part(p, last=i == len(pieces) - 1) for i, p in enumerate(pieces)]
    assert gzip.decompress(gzip_of(parts)) == b"".join(pieces)


def test_a_page_with_its_personal_header_compressed_per_request_reads_back_whole() -> None:
    before = b"<html><header>" + os.urandom(50_000).hex().encode()
    personal = b"<a class='who'>Sanne</a>"
    after = b"</header><main>" + b"kaart " * 20_000 + b"</main></html>"
    stored = [deflate_part(before), deflate_part(after, last=True)]
    parts = [stored[0], deflate_part(personal, level=1), stored[1]]
    assert gzip.decompress(gzip_of(parts)) == before + personal + after
    assert inflate_part(stored[0]) == before
    assert inflate_part(stored[1]) == after
