"""Byte streams with bounds: capped reads, gzip that reports damage instead of raising, peeking."""

from __future__ import annotations

import gzip
import io
import zlib
from typing import BinaryIO

# Largest single page (decompressed bytes) we accept. Real news pages are well under 5 MB even
# with inline scripts and base64 images; 64 MiB leaves ample room while bounding the memory of
# one page (bytes + decoded str + cleaned copies stay well under 1 GiB) and defusing gzip bombs.
MAX_PAGE_BYTES = 64 * 1024 * 1024

# Read granularity: large enough for throughput, small enough that overshooting a cap is cheap.
CHUNK_BYTES = 1024 * 1024

GZIP_MAGIC = b"\x1f\x8b"


class SafeGzip(io.RawIOBase):
    """A gzip decompressing reader that ends quietly on damage and says what it was."""

    def __init__(self, raw: BinaryIO) -> None:
        self._gz = gzip.GzipFile(fileobj=raw, mode="rb")
        self._position = 0
        self.problem: str | None = None

    def readable(self) -> bool:
        """Always readable."""
        return True

    def tell(self) -> int:
        """Decompressed bytes handed out so far (warcio asks, to report record offsets)."""
        return self._position

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        """Fill buffer with decompressed bytes; 0 at the end or after damage."""
        if self.problem is not None:
            return 0
        try:
            # read1: one decompression step, so bytes before the damage reach the caller.
            data = self._gz.read1(len(buffer))
        except EOFError:
            self.problem = "truncated"
            return 0
        except (gzip.BadGzipFile, zlib.error, OSError) as exc:
            self.problem = f"corrupt: {exc}"
            return 0
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)


class Prefixed(io.RawIOBase):
    """A stream that first replays bytes already read from it (for sniffing unseekable stdin)."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        # read1 hands over what a pipe has now instead of waiting to fill a whole chunk.
        self._read = getattr(rest, "read1", rest.read)
        self._position = 0

    def readable(self) -> bool:
        """Always readable."""
        return True

    def tell(self) -> int:
        """Bytes handed out so far (warcio asks, to report record offsets)."""
        return self._position

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        """Fill buffer from the replayed prefix, then from the underlying stream."""
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
        else:
            data = self._read(len(buffer))
            n = len(data)
            buffer[:n] = data
        self._position += n
        return n


def buffered(raw: io.RawIOBase) -> io.BufferedReader:
    """A buffered reader over a raw stream (for readline with a limit)."""
    return io.BufferedReader(raw, buffer_size=CHUNK_BYTES)


def peek(stream: BinaryIO, size: int) -> tuple[bytes, io.BufferedReader]:
    """The first `size` bytes of a stream and a reader that still yields them."""
    head = read_up_to(stream, size)
    return head, buffered(Prefixed(head, stream))


def maybe_gunzip(stream: BinaryIO) -> tuple[BinaryIO, SafeGzip | None]:
    """The stream decompressed when it starts with the gzip magic, with its damage reporter."""
    head, stream = peek(stream, 2)
    if head == GZIP_MAGIC:
        gz = SafeGzip(stream)
        return buffered(gz), gz
    return stream, None


def read_up_to(stream: BinaryIO, size: int) -> bytes:
    """Read until `size` bytes or the end, whatever short reads the stream makes."""
    parts: list[bytes] = []
    total = 0
    while total < size:
        data = stream.read(min(CHUNK_BYTES, size - total))
        if not data:
            break
        parts.append(data)
        total += len(data)
    return b"".join(parts)


def read_capped(stream: BinaryIO, limit: int) -> bytes | None:
    """The whole rest of a stream, or None once it passes `limit` bytes (nothing more is read)."""
    data = read_up_to(stream, limit + 1)
    return None if len(data) > limit else data


def skip_line(stream: BinaryIO) -> None:
    """Discard the rest of an over-long line, a chunk at a time."""
    while True:
        chunk = stream.readline(CHUNK_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return
