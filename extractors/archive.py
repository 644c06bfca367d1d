"""Archives (a region's export, a school's upload) expanded safely into folders: ZIP through
`zipfile`; RAR, 7-Zip, tar and gzip/bzip2/xz through libarchive (`libarchive-c`).

Safe means: no member is written outside the destination (absolute names, "..", drive
letters, symlinks are refused), the member count and the inflated total are bounded, a member
that inflates suspiciously is refused, and encrypted members are reported rather than guessed
at. A ZIP's sizes are checked before anything is written. The other formats are streams (a
solid RAR or 7-Zip names no member's packed size), so their bytes are counted as they are
written, by a child process (`extractors.unpack`), and an archive over a limit is refused
with what it had written removed. Cyrillic names from Windows archivers (cp866, no UTF-8
flag) come out as the school wrote them. Archives inside an archive are expanded in place,
to a depth.

How the flow uses it: `prepare_input(source, workdir)` turns whatever the operator gave (a
folder of school folders, an archive of them, folders holding ZIP or RAR uploads) into a
folder tree with no archives in it, and returns that tree's root and the errors; the review
then runs over the root as over any region folder. The input itself is never modified.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from extractors.detect import detect
from extractors.extract import sha256_of
from extractors.model import ExtractionError
from extractors.names import decode_name
from extractors.settings import DEFAULT_SETTINGS, ExtractSettings
from extractors.unpack import (
    FIRST_PIECE,
    PIECE,
    ArchiveRefused,
    Limits,
    TooBig,
    Unpacked,
    safe_parts,
    unique_path,
    write_capped,
)
from extractors.version import code_version

# What reading one member can raise: corrupt data, an unsupported method (Deflate64 from
# Windows' archiver), a password.
_MEMBER_ERRORS = (
    zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, zlib.error
)
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1


# Written by `prepare_input` into a school's folder of the unpacked copy: what of the school's
# archives could not be unpacked, so that its sheet says so (the archive itself is gone from
# the copy). Hidden, so no review lists it as a document.
UNPACKING_ERRORS = ".unpacking-errors.json"


@dataclass
class ArchiveReport:
    files: list[Path] = field(default_factory=list)
    errors: list[ExtractionError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def member_name(info: zipfile.ZipInfo) -> str:
    """The name as its author saw it.

    Without the UTF-8 flag, zipfile decodes names as cp437; Windows' own archiver wrote them
    in the OEM code page, which for Russian Windows is cp866. Some tools write UTF-8 without
    setting the flag, so UTF-8 is tried first: cp866 bytes of Cyrillic text are almost never
    valid UTF-8. Then the name's bytes are read as names on disk are (`decode_name`: cp866
    or cp1251, whichever reads as a name).
    """
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:  # already decoded some other way
        return info.filename
    return decode_name(raw)[0]


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _check(infos: list[zipfile.ZipInfo], settings: ExtractSettings, budget: list[int]) -> None:
    if len(infos) > settings.archive_max_members:
        raise ArchiveRefused(
            f"{len(infos)} files in the archive (limit {settings.archive_max_members})"
        )
    total = sum(i.file_size for i in infos)
    if total > budget[0]:
        raise ArchiveRefused(
            f"the archive inflates to {total // 1024**2} MB, over the limit "
            f"({settings.archive_max_inflated_bytes // 1024**2} MB in all)"
        )
    budget[0] -= total


def expand_archive(
    archive: Path,
    dest: Path,
    settings: ExtractSettings | None = None,
    shown: str | None = None,
    _depth: int = 0,
    _budget: list[int] | None = None,
    _unpacker: Unpacker | None = None,
    _volumes: list[Path] | None = None,
) -> ArchiveReport:
    """Expand `archive` into `dest` (created); nested archives become folders of the same name.
    Archives other than ZIP go to `_unpacker`'s child (one of their own without it);
    `_volumes` are the later volumes of a RAR in several (`rar_volumes`)."""
    settings = settings or DEFAULT_SETTINGS
    budget = _budget if _budget is not None else [settings.archive_max_inflated_bytes]
    shown = shown or archive.name
    report = ArchiveReport()
    try:
        kind, detail = detect(archive)
    except OSError as exc:
        kind, detail = "", str(exc)
    if kind == "archive":
        job = {"archive": str(archive), "volumes": [str(v) for v in _volumes or []]}
        _expand_other(job, dest, detail, shown, settings, report, budget, _unpacker)
        _expand_nested(report, dest, shown, settings, _depth, budget, _unpacker)
        return report
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            _check(infos, settings, budget)
            dest.mkdir(parents=True, exist_ok=True)
            for info in infos:
                _member(zf, info, dest, shown, settings, report)
    except ArchiveRefused as exc:
        report.errors.append(ExtractionError(file=shown, stage="archive", reason=str(exc)))
        return report
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        reason = f"the archive is damaged or unreadable ({type(exc).__name__}: {exc})"[:250]
        report.errors.append(ExtractionError(file=shown, stage="archive", reason=reason))
        return report
    _expand_nested(report, dest, shown, settings, _depth, budget, _unpacker)
    return report


def _member(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    dest: Path,
    shown: str,
    settings: ExtractSettings,
    report: ArchiveReport,
) -> None:
    name = member_name(info)
    where = f"{shown}/{name}"
    parts = safe_parts(name)
    if parts is None:
        report.errors.append(
            ExtractionError(file=where, stage="archive", reason="a path outside the archive")
        )
        return
    if info.is_dir():
        dest.joinpath(*parts).mkdir(parents=True, exist_ok=True)
        return
    if _is_symlink(info):
        report.warnings.append(f"{where}: a symbolic link, skipped")
        return
    if info.flag_bits & _ENCRYPTED_FLAG:
        report.errors.append(
            ExtractionError(file=where, stage="archive", reason="encrypted in the archive")
        )
        return
    if (
        info.file_size >= settings.ratio_check_min_bytes
        and info.file_size > settings.max_compression_ratio * max(info.compress_size, 1)
    ):
        report.errors.append(
            ExtractionError(
                file=where, stage="archive", reason="inflates suspiciously (a zip bomb?)"
            )
        )
        return
    target = unique_path(dest.joinpath(*parts))
    try:
        with zf.open(info) as src:
            # zipfile stops at the declared size; the limit is belt and braces.
            write_capped(iter(lambda: src.read(1 << 20), b""), target, info.file_size)
    except (*_MEMBER_ERRORS, TooBig) as exc:
        target.unlink(missing_ok=True)
        report.errors.append(
            ExtractionError(file=where, stage="archive", reason=f"not extracted: {exc}"[:250])
        )
        return
    report.files.append(target)


def _expand_other(
    job: dict[str, Any],
    dest: Path,
    kind: str,
    shown: str,
    settings: ExtractSettings,
    report: ArchiveReport,
    budget: list[int],
    unpacker: Unpacker | None,
) -> None:
    """A RAR, 7-Zip, tar or compressed file (`detect`'s "archive") written out by libarchive
    in a child process (`Unpacker`): a crash or hang in it costs this archive, not the run.
    The whole archive may inflate to at most `max_compression_ratio` times its size (a solid
    archive has no packed size per member to check one by one)."""
    if unpacker is None:
        with Unpacker() as own:
            _expand_other(job, dest, kind, shown, settings, report, budget, own)
        return
    size = sum(Path(p).stat().st_size for p in [job["archive"], *job["volumes"]])
    cap = max(settings.ratio_check_min_bytes, int(settings.max_compression_ratio * size))
    limits = Limits(
        budget=budget[0],
        budget_mb=settings.archive_max_inflated_bytes // 1024**2,
        cap=cap,
        max_members=settings.archive_max_members,
    )
    job = {**job, "dest": str(dest), "kind": kind, "shown": shown, "limits": asdict(limits)}
    made = not dest.exists()
    done, problem = unpacker.run(job, settings.max_seconds_per_file)
    if done is None:
        # What a dead child wrote is unknown: nothing of it is kept.
        if made:
            shutil.rmtree(dest, ignore_errors=True)
        report.errors.append(ExtractionError(file=shown, stage="archive", reason=problem[:250]))
        return
    budget[0] -= done.total
    report.files += [Path(f) for f in done.files]
    report.errors += [ExtractionError(file=f, stage="archive", reason=r) for f, r in done.errors]
    report.warnings += done.warnings


# The child that unpacks non-ZIP archives; a list, so that a test can put another there.
UNPACKER = [sys.executable, "-m", "extractors.unpack"]


class Unpacker:
    """The child process that writes out non-ZIP archives (`extractors.unpack`), one for
    many archives: starting one costs about 0.15 s, more than unpacking a school's RAR
    (50 RAR uploads took 9 s with a child each). A child that crashes, or takes longer than
    the time limit, is ended; the next archive starts a new one."""

    def __init__(self) -> None:
        self._child: subprocess.Popen[str] | None = None
        self._stderr: IO[bytes] | None = None

    def __enter__(self) -> Unpacker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, job: dict[str, Any], timeout: float) -> tuple[Unpacked | None, str]:
        """The child's `Unpacked` for `job`, or None and why there is none."""
        child = self._started()
        assert child.stdin is not None and child.stdout is not None
        try:
            # ASCII JSON both ways: the pipes' encoding is then whatever the locale says.
            child.stdin.write(json.dumps(job) + "\n")
            child.stdin.flush()
            ready, _, _ = select.select([child.stdout], [], [], timeout)
            line = child.stdout.readline() if ready else None
        except OSError:  # it died before reading the job
            line = ""
        if line is None:
            self.close(kill=True)
            return None, f"unpacking took over {timeout:.0f} s and was stopped"
        if not line:  # it died, or closed its output
            stderr = self._stderr_tail()
            self.close()
            return None, _how_it_ended(child.returncode, stderr)
        try:
            return Unpacked(**json.loads(line)), ""
        except (ValueError, TypeError) as exc:  # not JSON, or not the fields expected
            self.close(kill=True)
            return None, f"the unpacker gave no result ({exc})"

    def close(self, kill: bool = False) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        if kill:
            child.kill()
        try:
            assert child.stdin is not None
            child.stdin.close()  # the child ends when its input does
        except OSError:
            pass
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        for pipe in (child.stdout, self._stderr):
            if pipe is not None:
                pipe.close()

    def _started(self) -> subprocess.Popen[str]:
        if self._child is None:
            # A file, not a pipe: nobody reads the child's errors until it has died.
            self._stderr = tempfile.TemporaryFile()
            self._child = subprocess.Popen(
                UNPACKER,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                text=True,
                encoding="ascii",
            )
        return self._child

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()[-2000:].decode("utf-8", "replace")


def _how_it_ended(returncode: int, stderr: str) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"the unpacker crashed on this archive ({name}); nothing of it was kept"
    last = stderr.strip().splitlines()[-1:] or [""]
    return f"the unpacker failed on this archive (exit {returncode}: {last[0]})"


def _expand_nested(
    report: ArchiveReport,
    dest: Path,
    shown: str,
    settings: ExtractSettings,
    depth: int,
    budget: list[int],
    unpacker: Unpacker | None,
) -> None:
    for path in list(report.files):
        try:
            kind, _ = detect(path)
        except OSError:
            continue
        if kind not in ("zip", "archive"):
            continue
        report.files.remove(path)
        inner_shown = f"{shown}/{path.relative_to(dest).as_posix()}"
        if depth >= settings.archive_max_depth:
            report.errors.append(
                ExtractionError(
                    file=inner_shown, stage="archive", reason="archives nested too deep"
                )
            )
            path.unlink()
            continue
        folder = _folder_for(path)
        inner = expand_archive(path, folder, settings, inner_shown, depth + 1, budget, unpacker)
        path.unlink()
        report.files += inner.files
        report.errors += inner.errors
        report.warnings += inner.warnings


def _folder_for(archive: Path) -> Path:
    """The folder an archive becomes: its name without the extension ("Документы.rar",
    "Документы.tar.gz", "Документы.part1.rar", "Документы.7z.001": "Документы"), made unique
    beside it."""
    if PIECE.fullmatch(archive.suffix):
        archive = archive.with_suffix("")
    folder = archive.with_suffix("") if archive.suffix else archive.with_name(archive.name + "_")
    if folder.suffix.lower() == ".tar" or _PART.fullmatch(folder.suffix):
        folder = folder.with_suffix("")
    return unique_path(folder)


def split_pieces(first: Path) -> list[Path]:
    """The pieces after `first` ("x.7z.001") of an archive cut into pieces, in order, as far
    as they go on without a gap; [] for any other archive. Joined, they are the archive: the
    later pieces are not archives by their bytes, and were each an unreadable file."""
    if first.suffix != FIRST_PIECE:
        return []
    pieces = []
    for number in range(2, 1000):
        piece = first.with_suffix(f".{number:03d}")
        if not piece.is_file() or piece.is_symlink():
            break
        pieces.append(piece)
    return pieces


# A RAR in several volumes, as WinRAR names them: "x.part1.rar", "x.part2.rar"... (WinRAR 3
# and later; "part01" when there are ten or more), or "x.rar", "x.r00", "x.r01"... (before).
_PART = re.compile(r"\.part(\d+)", re.IGNORECASE)
_OLD_VOLUME = re.compile(r"\.r(\d\d)", re.IGNORECASE)
_NO_FIRST = (
    "a volume of a RAR in several parts whose first part is missing: not unpacked; upload "
    "every part"
)


def _volume_number(path: Path) -> int | None:
    """1, 2... for "x.part1.rar", "x.part2.rar"; 0, 1, 2... for "x.rar", "x.r00", "x.r01";
    None for a name of neither kind."""
    suffix = path.suffix.lower()
    if suffix == ".rar":
        inner = _PART.fullmatch(Path(path.stem).suffix)
        return int(inner.group(1)) if inner else 0
    old = _OLD_VOLUME.fullmatch(suffix)
    return int(old.group(1)) + 1 if old else None


def _is_first_volume(path: Path) -> bool:
    """False for a later volume ("x.part2.rar", "x.r00"): its group lacks the first."""
    number = _volume_number(path)
    return number in (None, 0) or (number == 1 and path.suffix.lower() == ".rar")


def rar_volumes(archives: list[Path]) -> list[list[Path]]:
    """The archives grouped into the volumes of each RAR, in order: read alone, libarchive
    returns the first part of a file that goes on in the next volume as if it were all of
    it. Every other archive is a group of its own. Each volume starts as a RAR does, so all
    of a set's volumes are among `archives`."""
    groups: dict[tuple[Path, str, str], list[tuple[int, Path]]] = {}
    alone: list[list[Path]] = []
    for path in archives:
        number = _volume_number(path)
        if number is None:
            alone.append([path])
            continue
        stem = Path(path.stem).stem if path.suffix.lower() == ".rar" and number else path.stem
        style = "old" if path.suffix.lower() != ".rar" or number == 0 else "part"
        groups.setdefault((path.parent, stem.lower(), style), []).append((number, path))
    joined = [[p for _, p in sorted(parts)] for parts in groups.values()]
    return sorted(alone + joined)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        if not stat.S_ISREG(os.stat(src).st_mode):
            # A pipe or device on another file system: copying one waits or fails. A pipe
            # stands in for it, for the school's listing to report (`refusal`).
            os.mkfifo(dst)
            return
        shutil.copy2(src, dst)


def prepare_input(
    source: Path, workdir: Path, settings: ExtractSettings | None = None
) -> tuple[Path, list[ExtractionError]]:
    """A folder tree without archives for `source` (a folder or an archive), and the errors.

    A folder with no archive inside is returned as it is. Otherwise the tree is mirrored into
    `workdir` (hard links where possible, so it costs no space) and every archive in it is
    expanded in place into a folder of its name. Expansions are kept in `workdir` for the
    next run (`_Store`), which unpacks only the archives that changed.
    """
    settings = settings or DEFAULT_SETTINGS
    entries = [p for p in source.iterdir() if not p.name.startswith(".")] if source.is_dir() else []
    if len(entries) == 1 and entries[0].is_file() and _is_archive(entries[0]):
        source = entries[0]  # a folder holding just the region's export
    with Unpacker() as unpacker:
        store = _Store(workdir / _KEPT, settings, unpacker)
        try:
            return _mirrored(source, workdir, store)
        finally:
            store.forget_the_rest()


def _mirrored(source: Path, workdir: Path, store: _Store) -> tuple[Path, list[ExtractionError]]:
    settings = store.settings
    if source.is_file():
        root = workdir / source.stem
        if root.exists():
            shutil.rmtree(root)
        budget = [settings.archive_max_inflated_bytes]
        errors = store.expanded(source, root, source.name, 0, budget)
        region = _single_folder(root)
        _note_errors(region, errors)
        return region, errors
    # Not through links: a linked archive is whatever the link points at (`refusal`).
    archives = [
        p
        for p in sorted(source.rglob("*"))
        if p.is_file() and not p.is_symlink() and (_is_archive(p) or _is_zip_piece(p))
    ]
    if not archives:
        return source, []
    root = workdir / source.name
    if root.exists():
        shutil.rmtree(root)
    # Links are mirrored as links: followed, one looping back to its folder made the copy
    # recurse until it failed, and one leading nowhere failed it; either stopped the run.
    shutil.copytree(source, root, symlinks=True, copy_function=_link_or_copy)
    errors: list[ExtractionError] = []
    budget = [settings.archive_max_inflated_bytes]
    for first, *volumes in rar_volumes(archives):
        rel = first.relative_to(source)
        pieces = split_pieces(first)
        if not _is_first_volume(first):
            for part in (first, *volumes):
                shown = part.relative_to(source).as_posix()
                errors.append(ExtractionError(file=shown, stage="archive", reason=_NO_FIRST))
        else:
            folder = _folder_for(root / rel)
            shown = rel.as_posix()
            errors += store.expanded(first, folder, shown, 1, budget, volumes, pieces)
        for part in (first, *volumes, *pieces):
            (root / part.relative_to(source)).unlink()
    _note_errors(root, errors)
    return root, errors


# Under the work folder: each archive's expansion, kept between runs. A re-run, with most
# schools' uploads unchanged, links the kept files into its mirror instead of unpacking
# every archive again (about 0.1 s a school's RAR, 10 ms a ZIP: 10 s for 100 schools).
_KEPT = ".unpacked"


@dataclass
class _Store:
    """Expansions by the archive's place and content, the limits and the extractors' code:
    a changed upload, or a fix in how archives are read, unpacks afresh."""

    folder: Path
    settings: ExtractSettings
    unpacker: Unpacker
    used: set[str] = field(default_factory=set)

    def expanded(
        self,
        archive: Path,
        dest: Path,
        shown: str,
        depth: int,
        budget: list[int],
        volumes: list[Path] | None = None,
        pieces: list[Path] | None = None,
    ) -> list[ExtractionError]:
        """Expand `archive` (with its later RAR `volumes`, or the `pieces` it was cut into)
        into `dest`, made as hard links to the kept expansion, and its errors; the bytes it
        inflates to are taken from `budget` as unpacking would."""
        volumes, pieces = volumes or [], pieces or []
        try:
            contents = [sha256_of(p) for p in (archive, *volumes, *pieces)]
        except OSError as exc:  # taken away or locked since it was listed
            reason = f"the archive cannot be read ({type(exc).__name__}: {exc})"[:250]
            return [ExtractionError(file=shown, stage="archive", reason=reason)]
        parts = [shown, *contents, self.settings.model_dump_json(), str(depth)]
        key = hashlib.sha256("\0".join([*parts, code_version("extractors")]).encode())
        name = key.hexdigest()[:32]
        self.used.add(name)
        kept, record = self.folder / name, self.folder / f"{name}.json"
        try:
            noted = json.loads(record.read_text(encoding="utf-8"))
            fresh = not (kept.is_dir() and noted["bytes"] <= budget[0])
        except (OSError, ValueError, KeyError, TypeError):
            fresh = True
        if fresh:
            record.unlink(missing_ok=True)  # written last: without it, `kept` is partial
            shutil.rmtree(kept, ignore_errors=True)
            before = budget[0]
            self.folder.mkdir(parents=True, exist_ok=True)
            joined = self.folder / f"{name}.joined"
            if pieces:
                with joined.open("wb") as out:
                    for piece in (archive, *pieces):
                        with piece.open("rb") as src:
                            shutil.copyfileobj(src, out, 1 << 20)
            report = expand_archive(
                joined if pieces else archive,
                kept,
                self.settings,
                shown,
                depth,
                budget,
                self.unpacker,
                volumes,
            )
            joined.unlink(missing_ok=True)
            kept.mkdir(parents=True, exist_ok=True)
            noted = {
                "bytes": before - budget[0],
                "errors": [e.model_dump() for e in report.errors],
            }
            record.write_text(json.dumps(noted, ensure_ascii=False), encoding="utf-8")
        else:
            budget[0] -= noted["bytes"]
        shutil.copytree(kept, dest, symlinks=True, copy_function=_link_or_copy)
        return [ExtractionError.model_validate(e) for e in noted["errors"]]

    def forget_the_rest(self) -> None:
        """Drop the expansions this run did not use: archives replaced or gone."""
        for entry in self.folder.iterdir() if self.folder.is_dir() else []:
            if entry.name.split(".")[0] in self.used:
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _note_errors(region: Path, errors: list[ExtractionError]) -> None:
    """Each error in the school folder it belongs to (`UNPACKING_ERRORS`), its file named
    from there: "school/uploads.zip/a.pdf" is "uploads.zip/a.pdf" of "school". Errors of no
    school's (the region's own ZIP damaged) stay with the caller alone."""
    schools = {p.name: p for p in region.iterdir() if p.is_dir()}
    by_school: dict[Path, list[dict[str, str]]] = {}
    for error in errors:
        parts = error.file.split("/")
        for k, part in enumerate(parts[:-1]):
            if part in schools:
                record = error.model_copy(update={"file": "/".join(parts[k + 1 :])})
                by_school.setdefault(schools[part], []).append(record.model_dump())
                break
    for folder, records in by_school.items():
        (folder / UNPACKING_ERRORS).write_text(
            json.dumps(records, ensure_ascii=False), encoding="utf-8"
        )


def unpacking_errors(folder: Path) -> list[ExtractionError]:
    """What `prepare_input` could not unpack of the school `folder`'s archives."""
    try:
        records = json.loads((folder / UNPACKING_ERRORS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [ExtractionError.model_validate(r) for r in records]


def _single_folder(root: Path) -> Path:
    """An export whose only entry is a folder ("Регион_2022/Школа 1/..."): that folder is the
    region, so school folders sit right under the returned root."""
    while True:
        entries = [p for p in root.iterdir() if not p.name.startswith(".")]
        if len(entries) != 1 or not entries[0].is_dir():
            return root
        # A lone folder holding files is a school, and `root` a region of one school.
        if any(p.is_file() for p in entries[0].iterdir()):
            return root
        root = entries[0]


def _is_zip_piece(path: Path) -> bool:
    """The first piece of a ZIP cut into pieces: a ZIP's start, its directory (at the end)
    in the last piece, so that alone it is no readable ZIP."""
    if path.suffix != FIRST_PIECE:
        return False
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _is_archive(path: Path) -> bool:
    try:
        return detect(path)[0] in ("zip", "archive")
    except OSError:
        return False
