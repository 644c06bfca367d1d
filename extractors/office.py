"""DOC, RTF, ODT and HTML -> DOCX through LibreOffice headless, then the DOCX reader; PPT
and ODP presentations -> PPTX, then the PPTX reader; XLS and ODS workbooks -> XLSX, then the
XLSX reader.

Each conversion runs in a fresh temporary directory with its own LibreOffice profile (so two
conversions never share state or a lock, and nothing a file does outlives it), under a timeout
that kills the whole process group.

Macros are never run. LibreOffice does not run document macros on a headless load at its
default security level (High: only signed macros from trusted sources), and the fresh profile
is seeded with macro security Very High and macro execution disabled altogether, which also
covers document events bound to LibreOffice's own bundled scripts (the CVE-2018-16858 class).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from extractors import kept
from extractors.detect import has_ole_macros, text_encoding
from extractors.extract import sha256_of
from extractors.model import Document
from extractors.safezip import MACROS_NOTE
from extractors.settings import DEFAULT_SETTINGS, ExtractSettings
from extractors.slots import tool_slot, with_retries


class ConversionFailed(Exception):
    """LibreOffice is missing, timed out, or could not read the file."""


class ConverterUnavailable(ConversionFailed):
    """LibreOffice is not installed: this machine's fault, not the file's."""


class _Unreadable(ConversionFailed):
    """LibreOffice ran and produced nothing: a damaged file, or a failed start."""


_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">
 <prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""

# Import filters by detected format: the content decides, not the uploaded name.
_SUFFIX = {"doc": "doc", "rtf": "rtf", "odt": "odt", "html": "html", "docx": "docx"}
# Presentations go to PPTX, read by extractors.pptx; workbooks to XLSX; the rest to DOCX.
_PRESENTATIONS = ("ppt", "odp")
_WORKBOOKS = ("xls", "ods")
# The ODF containers, checked before LibreOffice opens them (zip bombs, XML entities).
_ODF = ("odt", "odp", "ods")
# The LibreOffice module a format needs besides Writer, and its library in LibreOffice's
# program folder: Debian packages Impress and Calc apart from Writer, and with Writer alone
# a PPT or an XLS fails like a damaged file. Told apart, a missing module is this machine's
# fault (a setup problem: the file is read again once it is installed), not the file's.
_MODULES = {
    "ppt": ("Impress", "libsdlo.so"),
    "odp": ("Impress", "libsdlo.so"),
    "xls": ("Calc", "libsclo.so"),
    "ods": ("Calc", "libsclo.so"),
}
_INFILTER = {"html": "HTML (StarWriter)"}


def _seed_profile(profile: Path) -> None:
    user = profile / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")


def _run(cmd: list[str], env: dict[str, str], timeout: float) -> tuple[int, str]:
    try:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # its own process group: a timeout kills every child
        )
    except FileNotFoundError as exc:
        raise ConverterUnavailable(
            "LibreOffice (soffice) is not installed (run scripts/install-system-deps.sh)"
        ) from exc
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ConversionFailed(
            f"LibreOffice did not finish converting in {timeout:g} s; the file was skipped"
        ) from exc
    return proc.returncode, out.decode("utf-8", "replace")


@contextmanager
def converted(
    path: Path,
    fmt: str,
    target: str,
    settings: ExtractSettings | None = None,
    timeout: float | None = None,
) -> Iterator[Path]:
    """The file converted to `target` ("docx", "pdf", "odt", "rtf", "doc"), valid inside the
    with-block; the temporary directory and profile are removed after it. Within
    `extractors.kept.kept`, a conversion of the same bytes by the same LibreOffice and code
    is taken from the store instead of made again (see `conversion_version`)."""
    settings = settings or DEFAULT_SETTINGS
    timeout = timeout or settings.convert_timeout_s
    store = kept.current()
    key = _conversion_key(path, fmt, target, settings) if store is not None else ""
    with tempfile.TemporaryDirectory(prefix="extract-lo-") as tmp_name:
        tmp = Path(tmp_name)
        result = tmp / "out" / f"input.{target.split(':', 1)[0]}"
        earlier = store.get(key) if store is not None else None
        if isinstance(earlier, bytes):
            result.parent.mkdir()
            result.write_bytes(earlier)
            yield result
            return
        _seed_profile(tmp / "profile")
        (tmp / "in").mkdir()
        # A plain ASCII name: LibreOffice names its output after the input.
        source = tmp / "in" / f"input.{_SUFFIX.get(fmt, fmt)}"
        if fmt == "html":
            _copy_html_as_utf8(path, source)
        else:
            shutil.copyfile(path, source)
        cmd = [
            settings.soffice,
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
        ]
        if fmt in _INFILTER:
            cmd.append(f"--infilter={_INFILTER[fmt]}")
        cmd += ["--convert-to", target, "--outdir", str(tmp / "out"), str(source)]
        env = {**os.environ, "HOME": str(tmp), "SAL_USE_VCLPLUGIN": "svp"}

        def once() -> None:
            # One of `convert_max_parallel` LibreOffice slots on this machine, across every
            # worker process of the review.
            with tool_slot("soffice", settings.convert_max_parallel):
                code, output = _run(cmd, env, timeout)
            if code != 0 or not result.exists() or result.stat().st_size == 0:
                missing = _missing_module(settings.soffice, fmt)
                if missing:
                    raise ConverterUnavailable(
                        f"LibreOffice {missing} is not installed, and a {fmt.upper()} file "
                        "needs it (run scripts/install-system-deps.sh)"
                    )
                last = output.strip().splitlines()[-1:] or [f"exit code {code}"]
                raise _Unreadable(
                    f"LibreOffice could not read the {fmt.upper()} file (damaged?): "
                    f"{last[0][:150]}"
                )

        # LibreOffice sometimes fails to start under load; a damaged file fails every time,
        # so one more try after a pause is enough. A timeout or a missing soffice is final.
        with_retries(once, _Unreadable, delays=(1.0,))
        if store is not None and result.stat().st_size <= _KEEP_AT_MOST:
            store.put(key, result.read_bytes())
        yield result


# A conversion larger than this (a DOC of pasted scans) is made again rather than kept: the
# cache folder would hold a second copy of the region's biggest files.
_KEEP_AT_MOST = 32 * 1024**2
# The LibreOffice files whose change means another conversion: its build's description and
# the libraries of its core, Writer, Impress and Calc.
_LIBREOFFICE_FILES = ("versionrc", "libmergedlo.so", "libswlo.so", "libsdlo.so", "libsclo.so")


@cache
def conversion_version(soffice: str) -> str:
    """A digest of what a conversion depends on besides the file: this module (the command,
    the profile, the HTML hand-over) and the LibreOffice `soffice` runs (its files' sizes
    and times; asking LibreOffice its version would cost a start of it, a second or two)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    program = _program_folder(soffice)
    if program is None:
        return "unavailable"  # nothing is converted, so nothing is kept under it
    for name in _LIBREOFFICE_FILES:
        try:
            stat = (program / name).stat()
        except OSError:
            continue
        digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _program_folder(soffice: str) -> Path | None:
    """LibreOffice's program folder, where `soffice` really lives (Debian links it from
    /usr/bin); None when there is no such program."""
    found = shutil.which(soffice)
    return Path(found).resolve().parent if found is not None else None


def conversion_prefix(settings: ExtractSettings) -> str:
    """The start of every kept conversion's key for this code and LibreOffice: entries
    under other prefixes belong to other versions (`pipelines.work.prune_cache`)."""
    return f"convert-{conversion_version(settings.soffice)}-"


def _conversion_key(path: Path, fmt: str, target: str, settings: ExtractSettings) -> str:
    what = hashlib.sha256(f"{fmt}\0{target}\0{sha256_of(path)}".encode()).hexdigest()
    return conversion_prefix(settings) + what


def _missing_module(soffice: str, fmt: str) -> str | None:
    """The LibreOffice module `fmt` needs (`_MODULES`) when it is missing beside `soffice`;
    None when it is there, not needed, or LibreOffice is laid out otherwise (then the
    failure is reported as the file's)."""
    module = _MODULES.get(fmt)
    program = _program_folder(soffice)
    if module is None or program is None:
        return None
    name, library = module
    if (program / library).exists() or not (program / "libswlo.so").exists():
        return None
    return name


def _copy_html_as_utf8(path: Path, target: Path) -> None:
    """A web page that does not say its encoding, copied for LibreOffice in UTF-8 with a
    byte-order mark, which it honours: it reads such a page in neither Windows-1251 nor
    KOI8-R, and a page saved in either came out as question marks."""
    raw = path.read_bytes()
    head = raw[:4096]
    encoding = text_encoding(head)
    if b"charset" in head.lower() or encoding in (None, "utf-8", "utf-16", "utf-32"):
        target.write_bytes(raw)  # read once already: not copied from the file again
        return
    target.write_bytes(codecs.BOM_UTF8 + raw.decode(encoding, "replace").encode("utf-8"))


def _macro_warning(path: Path, fmt: str) -> str | None:
    if fmt == "doc" and has_ole_macros(path):
        return MACROS_NOTE
    if fmt in _ODF:
        import zipfile

        with zipfile.ZipFile(path) as zf:
            if any(n.startswith(("Basic/", "Scripts/")) for n in zf.namelist()):
                return MACROS_NOTE
    return None


def extract_office(
    path: Path,
    doc: Document,
    fmt: str,
    settings: ExtractSettings | None = None,
    deadline: float | None = None,
) -> Document:
    from extractors.docx import extract_docx
    from extractors.pptx import extract_pptx
    from extractors.xlsx import extract_xlsx

    settings = settings or DEFAULT_SETTINGS
    deadline = deadline or time.monotonic() + settings.max_seconds_per_file
    if fmt in _ODF:
        from extractors.safezip import check_container

        check_container(path, settings)
    warning = _macro_warning(path, fmt)
    if warning:
        doc.warnings.append(warning)
    if fmt in _PRESENTATIONS:
        with converted(path, fmt, "pptx:Impress MS PowerPoint 2007 XML", settings) as pptx_path:
            extract_pptx(pptx_path, doc, settings, deadline, source=fmt)
        return doc
    if fmt in _WORKBOOKS:
        with converted(path, fmt, "xlsx:Calc MS Excel 2007 XML", settings) as xlsx_path:
            extract_xlsx(xlsx_path, doc, settings, source=fmt)
        return doc
    with converted(path, fmt, "docx:MS Word 2007 XML", settings) as docx_path:
        extract_docx(docx_path, doc, settings, deadline, source=fmt)
    return doc
