"""RAR, 7-Zip, tar and gzip/bzip2/xz archives written out through libarchive, in a child
process (`python -m extractors.unpack`, driven by `extractors.archive.Unpacker`).

A child, because libarchive is C reading files from anyone: a crash in it (its RAR reader has
had several) would otherwise end the whole region's run, and a hang would hold it for ever.
The parent gives each archive a time limit and turns a crash or a timeout into an error
record. Light on purpose (no pydantic, no models): the child starts in about 0.1 s, and one
child takes a run's archives one after the other.
Also the path rules every archive shares, ZIPs included (`safe_parts`, `unique_path`).
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from extractors.detect import ARCHIVE_NAMES
from extractors.names import decode_name

# An archive cut into pieces by 7-Zip ("split to volumes"; Total Commander and HJSplit cut
# the same way): "x.7z.001", "x.7z.002"... or "x.zip.001"..., the bytes of one archive.
PIECE = re.compile(r"\.\d{3}")
FIRST_PIECE = ".001"


def is_later_piece(path: Path) -> bool:
    """Whether `path` is named as a piece after the first ("x.7z.002")."""
    return PIECE.fullmatch(path.suffix) is not None and path.suffix != FIRST_PIECE


class ArchiveRefused(Exception):
    pass


class TooBig(Exception):
    pass


def safe_parts(name: str) -> list[str] | None:
    """Path components to write under the destination, or None if the name escapes it."""
    name = name.replace("\\", "/")
    if name.startswith("/") or "\x00" in name:
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    if len(parts[0]) >= 2 and parts[0][1] == ":":  # C:\...
        return None
    return [p.strip() or "_" for p in parts]


def unique_path(path: Path) -> Path:
    if not path.exists():
        return path
    for n in range(2, 10_000):
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not candidate.exists():
            return candidate
    raise ArchiveRefused(f"too many files named {path.name}")


def write_capped(chunks: Iterable[bytes], target: Path, limit: int) -> int:
    """Write `chunks` to `target` (a new file), raising `TooBig` past `limit` bytes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with target.open("xb") as out:
        for chunk in chunks:
            written += len(chunk)
            if written > limit:
                raise TooBig("inflates past its declared size or the archive's limit")
            out.write(chunk)
    return written


@dataclass
class Limits:
    budget: int  # what the region's archives may still inflate to, in all
    budget_mb: int  # the whole limit, for messages
    cap: int  # what this archive may inflate to (the bomb check)
    max_members: int


@dataclass
class Unpacked:
    """What the child did: the files written (absolute), error records as (file, reason),
    warnings, and the bytes written."""

    files: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    total: int = 0


def unpack(
    archive: Path,
    dest: Path,
    kind: str,
    shown: str,
    limits: Limits,
    volumes: list[Path] | None = None,
) -> Unpacked:
    """Write the archive's members under `dest`; `volumes`, the later volumes of a RAR in
    several, are read after it as one archive. Streamed: the limits count the bytes as they
    are written (a solid RAR or 7-Zip names no member's packed size). An archive over a limit
    is refused whole, what it had written removed; what one damaged part-way had written
    stays, since each member before the damage passed the format's own checksum."""
    out = Unpacked()
    try:
        import libarchive
    except (ImportError, OSError, AttributeError, TypeError) as exc:  # no libarchive.so
        reason = (
            f"a {ARCHIVE_NAMES.get(kind, kind)} archive, and this machine cannot unpack it: "
            f"libarchive is missing (scripts/install-system-deps.sh): {exc}"
        )
        out.errors.append((shown, reason[:250]))
        return out
    stream = _Stream(dest, shown, limits, out, len(volumes or []))
    dest.mkdir(parents=True, exist_ok=True)
    try:
        fmt = _reader_format(archive, kind)
        with _reader(archive, fmt, volumes or []) as reader:
            for entry in reader:
                stream.member(entry, _raw_member_name(archive) if fmt == "raw" else None)
    except ArchiveRefused as exc:
        for path in out.files:
            Path(path).unlink(missing_ok=True)
        out.files.clear()
        out.total = 0
        out.errors.append((shown, str(exc)))
    except (libarchive.ArchiveError, OSError) as exc:
        out.errors.append((shown, stream.explained(_archive_error(exc, len(out.files)))))
    return out


@contextmanager
def _reader(archive: Path, fmt: str, volumes: list[Path]) -> Iterator[Any]:
    """libarchive's reader of the archive, over its volumes in turn when it has several
    (libarchive-c opens one file only; libarchive's own call takes the list)."""
    import libarchive
    from libarchive.read import ArchiveRead, new_archive_read

    if not volumes:
        with libarchive.file_reader(str(archive), fmt) as reader:
            yield reader
        return
    # libarchive 3.6.2 reads ahead past the last volume's end: when that volume held less
    # than about 500 bytes, it failed ("Header CRC error"; hand-made stored RAR 5 volumes).
    # Zeros after it, which the reader never reaches past the archive's end block, serve.
    with new_archive_read(fmt) as archive_p, tempfile.NamedTemporaryFile() as zeros:
        zeros.write(bytes(4096))
        zeros.flush()
        paths = [os.fsencode(p) for p in (archive, *volumes, zeros.name)]
        names = (ctypes.c_char_p * (len(paths) + 1))(*paths, None)
        _open_filenames()(archive_p, names, 1 << 16)
        yield ArchiveRead(archive_p)


@lru_cache(maxsize=1)
def _open_filenames() -> Any:
    from libarchive import ffi

    call = ffi.libarchive.archive_read_open_filenames
    call.argtypes = [ffi.c_archive_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t]
    call.restype = ctypes.c_int
    call.errcheck = ffi.check_int
    return call


@dataclass
class _Stream:
    dest: Path
    shown: str
    limits: Limits
    out: Unpacked
    volumes: int = 0  # after the first
    members: int = 0

    def explained(self, reason: str) -> str:
        """A failure on a RAR in volumes, with what may mend it: libarchive's reading of
        volumes is less tried than that of one file (see `_reader`)."""
        if not self.volumes:
            return reason
        return (
            f"{reason[:150]}; read as a RAR in {self.volumes + 1} volumes: if they are whole, "
            "packing the files again as one archive will do"
        )

    def member(self, entry: Any, name: str | None) -> None:
        from libarchive import ArchiveError

        self.members += 1
        if self.members > self.limits.max_members:
            raise ArchiveRefused(f"over {self.limits.max_members} files in the archive")
        name = name or _entry_name(entry.pathname)
        where = f"{self.shown}/{name}"
        parts = safe_parts(name)
        if parts is None:
            self.out.errors.append((where, "a path outside the archive"))
        elif entry.isdir:
            self.dest.joinpath(*parts).mkdir(parents=True, exist_ok=True)
        elif entry.issym or entry.islnk:
            self.out.warnings.append(f"{where}: a link, skipped")
        elif not entry.isreg:
            self.out.warnings.append(f"{where}: not a file (a device or a pipe), skipped")
        elif _encrypted(entry):
            self.out.errors.append((where, "encrypted in the archive"))
        else:
            declared = entry.size
            if declared is not None and declared > self._room():
                raise ArchiveRefused(self._over_limit())
            target = unique_path(self.dest.joinpath(*parts))
            try:
                size = write_capped(entry.get_blocks(1 << 20), target, declared or self._room())
            except TooBig:
                target.unlink(missing_ok=True)
                if declared:
                    raise ArchiveRefused(f"{name} inflates past its declared size") from None
                raise ArchiveRefused(self._over_limit()) from None
            except ArchiveError as exc:
                target.unlink(missing_ok=True)
                self.out.errors.append((where, self.explained(_member_error(exc))))
                return
            self.out.total += size
            if declared is not None and size < declared:
                # libarchive ends a member that goes on in a volume it was not given without
                # a word: half a scan, read as the whole.
                target.unlink()
                self.out.errors.append((where, _short(size, declared)))
                return
            self.out.files.append(str(target))

    def _room(self) -> int:
        return min(self.limits.budget, self.limits.cap) - self.out.total

    def _over_limit(self) -> str:
        if self.limits.budget <= self.limits.cap:
            return f"the archive inflates over the limit ({self.limits.budget_mb} MB in all)"
        return "inflates suspiciously (an archive bomb?)"


def _reader_format(archive: Path, kind: str) -> str:
    """libarchive's reader for the format `detect` found. Not "all": its ZIP reader looks for
    a ZIP's directory at the end of the file, and a RAR whose last member is a DOCX, stored,
    has one there; read as a ZIP, the RAR became that DOCX's XML parts."""
    if kind == "rar":
        with archive.open("rb") as fh:
            return "rar5" if fh.read(8) == b"Rar!\x1a\x07\x01\x00" else "rar"
    if kind == "7z":
        return "7zip"
    # A file compressed on its own (Приказ.pdf.gz) is no archive: libarchive's "raw" format
    # reads it as its one member.
    if kind in ("gz", "bz2", "xz") and not _holds_tar(archive):
        return "raw"
    return "tar"


def _holds_tar(archive: Path) -> bool:
    """Whether a compressed file holds a tar (.tar.gz and the like), read from its start."""
    import libarchive

    try:
        with libarchive.file_reader(str(archive), "tar") as reader:
            # Zero blocks are a tar's end: a compressed run of zeros reads as an empty tar.
            return next(iter(reader), None) is not None
    except libarchive.ArchiveError:
        return False


def _raw_member_name(archive: Path) -> str:
    """The name of a compressed file's one member: its own without .gz, .bz2, .xz."""
    if archive.suffix.lower() in (".gz", ".bz2", ".xz", ".tgz"):
        return archive.stem
    return archive.name + "_"


def _entry_name(name: str | bytes | None) -> str:
    """libarchive gives bytes for a name it could not read as UTF-8 (an old RAR's names in
    the DOS code page, a tar made on Windows): read as names on disk are."""
    if isinstance(name, bytes):
        return decode_name(name)[0]
    return name or ""


def _encrypted(entry: Any) -> bool:
    is_encrypted = _is_encrypted_call()
    return bool(is_encrypted and is_encrypted(entry._entry_p))


@lru_cache(maxsize=1)
def _is_encrypted_call() -> Any:
    """libarchive's `archive_entry_is_encrypted` (3.2+), which libarchive-c does not wrap.
    Typed here: called untyped, ctypes passed the entry's pointer as a C int and crashed."""
    from libarchive import ffi

    call = getattr(ffi.libarchive, "archive_entry_is_encrypted", None)
    if call is not None:
        call.argtypes = [ffi.c_archive_entry_p]
        call.restype = ctypes.c_int
    return call


def _short(size: int, declared: int) -> str:
    return (
        f"cut short: {size} of its {declared} bytes in the archive (the rest in a volume of "
        "a RAR in several parts that was not uploaded?)"
    )


def _is_password_problem(message: str) -> bool:
    return "ncrypt" in message or "assphrase" in message


def _message(exc: Exception) -> str:
    return str(exc.args[0] if exc.args else exc)


def _member_error(exc: Exception) -> str:
    if _is_password_problem(_message(exc)):
        return "encrypted in the archive"
    return f"not extracted: {_message(exc)}"[:250]


def _archive_error(exc: Exception, done: int) -> str:
    message = _message(exc)
    if _is_password_problem(message):
        return f"the archive is encrypted ({message})"[:250]
    after = f" after {done} files" if done else ""
    return f"the archive is damaged or unreadable{after} ({message})"[:250]


def main() -> None:
    """The child: a JSON job a line on stdin, its `Unpacked` as a JSON line on stdout, until
    stdin ends. ASCII JSON, so that no locale's encoding of the pipes can garble a name."""
    for line in sys.stdin:
        job = json.loads(line)
        limits = Limits(**job["limits"])
        volumes = [Path(v) for v in job.get("volumes", [])]
        archive, dest = Path(job["archive"]), Path(job["dest"])
        done = unpack(archive, dest, job["kind"], job["shown"], limits, volumes)
        sys.stdout.write(json.dumps(done.__dict__) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
