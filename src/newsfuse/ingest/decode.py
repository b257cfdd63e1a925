"""Bytes to text: spot binary files, then UTF-8, a declared charset or a detected one."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

# How much of the start of a document the binary and charset sniffers look at: enough for a
# page's <head> (where <meta charset> must stand) without scanning a 64 MiB page twice.
SNIFF_BYTES = 64 * 1024

# Share of control bytes (not tab/newline/CR/form feed/escape) above which a document is taken
# for binary. Real scraped text has next to none; compressed or machine data has ~10%+.
MAX_CONTROL_RATIO = 0.05

# Damaged UTF-8 or another charset? In legacy single-byte text nearly every byte above 0x7f is
# invalid UTF-8 and valid multi-byte sequences arise only by accident ("Ã©"), so a document with
# no more bad bytes than valid multi-byte characters is UTF-8 with damage.
MAX_BAD_UTF8_SHARE = 1.0

# charset-normalizer ranks single-byte code pages by "chaos" (odd characters) first, but on
# short texts chaos differs by noise (0.03 between cp1252 and cp1257 on a French paragraph).
# Among guesses this close we take the best language coherence, and windows-1252 (the WHATWG
# default for legacy pages) when it is within COHERENCE_MARGIN of the best: without this,
# French and German latin-1 pages come out as cp1250/cp1257, while Polish cp1250 (coherence
# 0.62 against 0.56 for cp1252) still comes out right.
CHAOS_MARGIN = 0.05
COHERENCE_MARGIN = 0.02

# Legacy charsets actually served on the web (Python codec names). Among near-tied guesses
# these win: DOS and Mac code pages (cp775, mac_roman, hp_roman8) fit short Latin text as well
# as windows-1252 does, but pages are essentially never written in them.
WEB_CHARSETS = frozenset(
    {
        "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
        "cp1258", "cp874", "cp932", "cp949", "iso8859_2", "iso8859_4", "iso8859_5",
        "iso8859_6", "iso8859_7", "iso8859_8", "iso8859_9", "iso8859_13", "iso8859_15",
        "koi8_r", "koi8_u", "tis_620", "shift_jis", "euc_jp", "iso2022_jp", "gb2312", "gbk",
        "gb18030", "big5", "big5hkscs", "euc_kr",
    }
)  # fmt: skip

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"%PDF-", "PDF document"),
    (b"\x7fELF", "ELF executable"),
    (b"PK\x03\x04", "zip archive"),
    (b"PK\x05\x06", "zip archive"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\x00asm", "WebAssembly module"),
    (b"\xcf\xfa\xed\xfe", "Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "Java class or Mach-O fat binary"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x1aE\xdf\xa3", "Matroska/WebM video"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office (OLE) document"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Control bytes that never appear in text; \t \n \v \f \r and ESC (ISO-2022) are allowed.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27)) + b"\x7f"
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I)
_ESCAPED = re.compile("[\udc80-\udcff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NON_ASCII_CHAR = re.compile("[^\x00-\x7f\udc80-\udcff]")

# Labels that browsers read as windows-1252 (WHATWG Encoding Standard): pages that say
# latin-1 are nearly always cp1252 (curly quotes in 0x80-0x9f).
_AS_CP1252 = {"latin_1", "iso8859_1", "ascii", "cp1252"}
# Python text codecs that no web page can mean: they would reinterpret backslashes or fail.
_NOT_CHARSETS = {"unicode_escape", "raw_unicode_escape", "idna", "punycode", "undefined", "utf_7"}


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded document: its text, the codec used and what went wrong on the way."""

    text: str
    encoding: str
    notes: tuple[str, ...] = ()


def sniff_binary(data: bytes) -> str | None:
    """What a binary document looks like ("PNG image", "NUL bytes", ...), or None for text."""
    head = data[:SNIFF_BYTES]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if _bom_codec(head) is not None:
        return None  # UTF-16/32 text has NUL bytes by design
    if b"\x00" in head:
        return "NUL bytes (not text)"
    if head and len(head.translate(None, _CONTROL)) < len(head) * (1 - MAX_CONTROL_RATIO):
        return "mostly non-text bytes"
    return None


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a <meta> tag near its start, if any."""
    match = _META_CHARSET.search(data[:SNIFF_BYTES])
    return match.group(1).decode("ascii") if match else None


def decode_bytes(data: bytes, *, declared: str | None = None) -> Decoded:
    """Decode a document: BOM, else strict UTF-8, else declared charset, else detection."""
    bom = _bom_codec(data)
    if bom is not None:
        codec, skip = bom
        return _decode_counting(data[skip:], codec, label=codec, always_note=codec != "utf-8")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    codec = _codec_name(declared) or _codec_name(declared_charset(data))
    if codec is not None and codec != "utf_8":
        try:
            return _decode_counting(data, codec, label=f"{codec} (declared)", always_note=True)
        except (UnicodeError, LookupError, TypeError, ValueError):
            codec = None  # a codec Python knows but that cannot decode this (e.g. "undefined")
    # A page declaring UTF-8 that is mostly not (a misconfigured CMS) reads better detected.
    if _mostly_utf8(data):
        return _decode_counting(data, "utf-8", label="utf-8", always_note=False)
    detected = _detect(data)
    if detected is not None:
        return _decode_counting(data, detected, label=f"{detected} (detected)", always_note=True)
    return _decode_counting(data, "utf-8", label="utf-8", always_note=False)


def replace_escapes(text: str) -> tuple[str, int]:
    """Turn surrogate-escaped bytes (and stray surrogates) into U+FFFD; return the count."""
    # Also catches lone surrogates that JSON may spell as \ud800: they cannot be written out.
    if _SURROGATE.search(text) is None:
        return text, 0
    return _SURROGATE.subn("\ufffd", text)


def _decode_counting(data: bytes, codec: str, *, label: str, always_note: bool) -> Decoded:
    text, bad = replace_escapes(data.decode(codec, errors="surrogateescape"))
    notes: list[str] = []
    if always_note:
        notes.append(f"decoded as {label}")
    if bad:
        name = "UTF-8" if codec.replace("_", "-").lower() == "utf-8" else codec
        notes.append(f"invalid {name}: {bad} bytes replaced")
    return Decoded(text, codec, tuple(notes))


def _bom_codec(data: bytes) -> tuple[str, int] | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    return None


def _codec_name(label: str | None) -> str | None:
    """Python's codec for a charset label, windows-1252 for latin-1 ones; None if unknown."""
    if not label:
        return None
    try:
        info = codecs.lookup(label.strip().lower())
    except LookupError:
        return None
    name = info.name.replace("-", "_")
    if not getattr(info, "_is_text_encoding", True) or name in _NOT_CHARSETS:
        return None  # "zlib", "base64", "unicode_escape": codecs, but not web charsets
    if name.startswith(("utf_16", "utf_32")):
        # Without a BOM (checked first) a page saying UTF-16 is ASCII-compatible: WHATWG reads
        # such declarations as UTF-8.
        return "utf_8"
    return "cp1252" if name in _AS_CP1252 else name


def _mostly_utf8(data: bytes) -> bool:
    sample = data[: SNIFF_BYTES * 4].decode("utf-8", errors="surrogateescape")
    bad = len(_ESCAPED.findall(sample))
    good = len(_NON_ASCII_CHAR.findall(sample))
    return good > 0 and bad <= good * MAX_BAD_UTF8_SHARE


def _detect(data: bytes) -> str | None:
    results = charset_normalizer.from_bytes(data[: SNIFF_BYTES * 4])
    best = results.best()
    if best is None:
        return None
    near = [r for r in results if r.chaos <= best.chaos + CHAOS_MARGIN]
    web = [r for r in near if WEB_CHARSETS.intersection(r.could_be_from_charset)] or near
    top = max(r.coherence for r in web)
    for result in web:
        if "cp1252" in result.could_be_from_charset and result.coherence >= top - COHERENCE_MARGIN:
            return "cp1252"
    winner = max(web, key=lambda r: r.coherence)
    names = [c for c in winner.could_be_from_charset if c in WEB_CHARSETS] or [winner.encoding]
    return _codec_name(names[0])
