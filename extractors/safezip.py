"""Checks on ZIP containers (DOCX, XLSX, ODT) before any parser inflates or parses them.

A DOCX is a ZIP of XML parts. Two attacks hide there: a part that inflates to gigabytes (a
zip bomb) and XML that declares entities (billion laughs, or an external entity that reads a
local file or fetches a URL). Both are refused here, from the ZIP directory and a streamed scan
of each XML part's prolog, so python-docx and openpyxl only ever see checked input.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from extractors.settings import ExtractSettings


class UnsafeContainer(Exception):
    """The container is refused; the message is the operator-facing reason."""


# A DTD can only stand in the prolog, before the root element; in UTF-16 parts the ASCII
# letters are interleaved with zero bytes.
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
_DTD16 = re.compile(rb"<\x00!\x00(D\x00O\x00C\x00T\x00Y\x00P\x00E|E\x00N\x00T\x00I\x00T\x00Y)\x00")
_ROOT = re.compile(rb"<[A-Za-z_]|<\x00[A-Za-z_]\x00")
_XML_SUFFIXES = (".xml", ".rels", ".vml")
# Enough of a part to hold any real prolog; Office writes a one-line declaration.
_PROLOG_BYTES = 64 * 1024


def check_members(zf: zipfile.ZipFile, settings: ExtractSettings) -> list[zipfile.ZipInfo]:
    """The members, if their count, total inflated size and ratios are sane."""
    infos = zf.infolist()
    if len(infos) > settings.max_members:
        raise UnsafeContainer(f"{len(infos)} parts in the container (limit {settings.max_members})")
    total = 0
    for info in infos:
        total += info.file_size
        if total > settings.max_inflated_bytes:
            raise UnsafeContainer(
                f"the content inflates to more than {settings.max_inflated_bytes // 1024**2} MB "
                "(a zip bomb?)"
            )
        if (
            info.file_size >= settings.ratio_check_min_bytes
            and info.file_size > settings.max_compression_ratio * max(info.compress_size, 1)
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise UnsafeContainer(
                f"part {info.filename} inflates {ratio}x to {info.file_size // 1024**2} MB "
                "(a zip bomb?)"
            )
    return infos


def check_xml_parts(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse any XML part that declares a DTD: Office never writes one."""
    for info in infos:
        if not info.filename.lower().endswith(_XML_SUFFIXES) or info.is_dir():
            continue
        with zf.open(info) as fh:
            head = fh.read(_PROLOG_BYTES)
        # Only the prolog matters; cut at the first element so text content can't trigger it.
        root = _ROOT.search(head)
        if root is None and len(head) == _PROLOG_BYTES:
            raise UnsafeContainer(f"part {info.filename} has no root element in its first 64 KB")
        prolog = head[: root.start()] if root else head
        if _DTD.search(prolog) or _DTD16.search(prolog):
            raise UnsafeContainer(
                f"part {info.filename} declares XML entities (DOCTYPE); refused, never resolved"
            )


# Said of any document whose macros were found and left alone: no reader runs them.
MACROS_NOTE = "the file contains macros; they were not run"


def has_vba_project(names: list[str]) -> bool:
    """Whether an Office Open XML container's members (`check_container`) hold macros."""
    return any(n.lower().endswith("vbaproject.bin") for n in names)


def check_container(path: Path, settings: ExtractSettings) -> list[str]:
    """Sizes and XML prologs of an Office container; the member names if it is safe."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = check_members(zf, settings)
            check_xml_parts(zf, infos)
            return [i.filename for i in infos]
    except zipfile.BadZipFile as exc:
        raise UnsafeContainer(f"the container is damaged ({exc})") from exc
    except zipfile.LargeZipFile as exc:
        raise UnsafeContainer("the container is too large") from exc
