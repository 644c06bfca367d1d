"""RAR archives for the tests, written by hand: RAR is a closed format, and nothing on PyPI
or in Debian writes it (libarchive only reads it). Members are stored, not compressed
(method 0), which is how WinRAR keeps already-packed files such as JPEG and DOCX; the layout
follows RARLAB's published descriptions of the RAR 5.0 and RAR 1.5-4.x formats.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

_RAR5_SIGNATURE = b"Rar!\x1a\x07\x01\x00"
_RAR4_SIGNATURE = b"Rar!\x1a\x07\x00"


def _vint(n: int) -> bytes:
    """RAR 5's variable-length integer: 7 bits a byte, low first, high bit = more."""
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _rar5_block(
    kind: int, body: bytes, extra: bytes = b"", data: bytes | None = None, flags: int = 0
) -> bytes:
    flags |= (0x1 if extra else 0) | (0x2 if data is not None else 0)
    fields = _vint(kind) + _vint(flags)
    if extra:
        fields += _vint(len(extra))
    if data is not None:
        fields += _vint(len(data))
    header = _vint(len(fields + body + extra)) + fields + body + extra
    return struct.pack("<I", zlib.crc32(header)) + header + (data or b"")


def _rar5_file(name: str, data: bytes, part: bytes, flags: int = 0) -> bytes:
    """A file header and `part` of the member `data`; `flags` 0x8/0x10: the data goes on
    from the previous volume / in the next one. A part that goes on carries the CRC32 of
    its own bytes, the last part that of the whole file."""
    folder = name.endswith("/")
    raw = name.rstrip("/").encode("utf-8")
    crc = zlib.crc32(part if flags & 0x10 else data)
    body = (
        _vint(0x1 if folder else 0x4)  # a folder, or a file with its CRC32 present
        + _vint(len(data))
        + _vint(0x10 if folder else 0x20)  # Windows attributes
        + (b"" if folder else struct.pack("<I", crc))
        + _vint(0)  # compression: stored
        + _vint(0)  # made on Windows
        + _vint(len(raw))
        + raw
    )
    return _rar5_block(2, body, data=part, flags=flags)


def make_rar5(path: Path, members: dict[str, bytes]) -> Path:
    """A RAR 5 archive (WinRAR 5 and later) of `members`; a name ending in "/" is a folder.
    Names are UTF-8, as RAR 5 always stores them."""
    out = _RAR5_SIGNATURE + _rar5_block(1, _vint(0))  # main header, no archive flags
    for name, data in members.items():
        out += _rar5_file(name, data, data)
    return _written(path, out + _rar5_block(5, _vint(0)))


def make_rar5_volumes(folder: Path, stem: str, members: dict[str, bytes], size: int) -> list[Path]:
    """A RAR 5 archive of `members` in volumes of about `size` bytes of data each, named as
    WinRAR names them: STEM.part1.rar, STEM.part2.rar... A member longer than the room left
    goes on in the next volume."""
    volumes: list[bytes] = [b""]
    room = size
    for name, data in members.items():
        pos = 0
        while True:
            part = data[pos : pos + room]
            more = pos + len(part) < len(data)
            volumes[-1] += _rar5_file(name, data, part, (0x8 if pos else 0) | (0x10 if more else 0))
            pos, room = pos + len(part), room - len(part)
            if room <= 0:
                volumes.append(b"")
                room = size
            if not more:
                break
    volumes = [v for v in volumes if v]
    paths = []
    for number, blocks in enumerate(volumes):
        # archive flags: a volume, and (after the first) its number
        main = _vint(0x3) + _vint(number) if number else _vint(0x1)
        last = number == len(volumes) - 1
        end = _rar5_block(5, _vint(0 if last else 0x1))  # 0x1: not the last volume
        path = folder / f"{stem}.part{number + 1}.rar"
        paths.append(_written(path, _RAR5_SIGNATURE + _rar5_block(1, main) + blocks + end))
    return paths


def make_rar4(
    path: Path,
    members: dict[str, bytes],
    codec: str = "cp866",
    encrypted: frozenset[str] = frozenset(),
) -> Path:
    """A RAR 4 archive (WinRAR before 5) of `members`, names in `codec` with no Unicode
    field, as WinRAR on a Russian Windows wrote them (the OEM code page). A member named in
    `encrypted` carries the password flag (its data stays plain: readers stop at the flag)."""

    def block(kind: int, flags: int, body: bytes) -> bytes:
        rest = struct.pack("<BHH", kind, flags, 7 + len(body)) + body
        return struct.pack("<H", zlib.crc32(rest) & 0xFFFF) + rest

    out = _RAR4_SIGNATURE + block(0x73, 0, bytes(6))  # archive header
    for name, data in members.items():
        raw = name.replace("/", "\\").encode(codec)
        flags = 0x8000 | (0x4 if name in encrypted else 0)  # long block; password
        size = len(data)
        # packed and unpacked size, host OS (Windows), CRC32, DOS time, version 2.9,
        # method "store", name length, attributes
        fixed = struct.pack(
            "<IIBIIBBHI", size, size, 2, zlib.crc32(data), 0x5A000000, 29, 0x30, len(raw), 0x20
        )
        out += block(0x74, flags, fixed + raw) + data
    return _written(path, out + block(0x7B, 0x4000, b""))  # end of archive


def _written(path: Path, blob: bytes) -> Path:
    path.write_bytes(blob)
    return path
