"""Videos from phones (MP4, MOV, 3GP: the ISO media container): never watched, but when
they were recorded is in the container's movie header, which ties a video to the event it
shows as a photo's EXIF does (`extractors.images.taken`)."""

from __future__ import annotations

import struct
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

# ISO/IEC 14496-12 counts seconds from this moment (UTC).
_EPOCH = datetime(1904, 1, 1)
# Cameras whose clock was never set write 0000:00:00, 1904, 1970 or their own epoch; no
# photo or video of the programme is that old.
_EARLIEST_YEAR = 2000
# Boxes are walked by their sizes, the media data skipped unread; a broken file ends the
# walk after this many boxes rather than after reading gigabytes.
_MAX_BOXES = 64
# The start of the names phones and messengers give photos and videos, followed by the day
# (`extractors.images.taken_by_name`): Android's "IMG_20220324_...", WhatsApp's "WhatsApp
# Image 2022-03-24 at ...", Telegram's "photo_2022-03-24_...". Here, not beside PIL, since
# the school's stages read names too (`pipelines.school`) and import no picture library.
PHONE_NAMES = r"img|vid|pxl|photo|video|whatsapp (?:image|video)|screenshot|снимок экрана|фото"


def recorded(path: Path) -> datetime | None:
    """When the video was recorded, by the creation time of its movie header (`mvhd` in
    `moov`), or None: another container, a damaged one, or an unset clock."""
    try:
        with path.open("rb") as fh:
            size = path.stat().st_size
            moov = _find(fh, 0, size, b"moov")
            if moov is None:
                return None
            mvhd = _find(fh, *moov, b"mvhd")
            if mvhd is None:
                return None
            fh.seek(mvhd[0])
            head = fh.read(12)
    except OSError:
        return None
    if len(head) < 8:
        return None
    version = head[0]
    if version == 1:
        if len(head) < 12:
            return None
        (seconds,) = struct.unpack(">Q", head[4:12])
    else:
        (seconds,) = struct.unpack(">I", head[4:8])
    try:
        moment = _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        return None
    return plausible(moment)


def plausible(moment: datetime) -> datetime | None:
    """`moment` if a school could have taken a photo or video then, else None (a camera
    clock never set, a date from the future)."""
    return moment if _EARLIEST_YEAR <= moment.year <= datetime.now().year + 1 else None


def _find(fh: BinaryIO, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    """(start, end) of the payload of the first box of `kind` between `start` and `end`."""
    at = start
    for _ in range(_MAX_BOXES):
        if at + 8 > end:
            return None
        fh.seek(at)
        header = fh.read(8)
        if len(header) < 8:
            return None
        size, name = struct.unpack(">I4s", header)
        payload = at + 8
        if size == 1:  # a 64-bit size follows
            large = fh.read(8)
            if len(large) < 8:
                return None
            (size,) = struct.unpack(">Q", large)
            payload += 8
        elif size == 0:  # to the end of the enclosing space
            size = end - at
        if size < payload - at or at + size > end:
            return None
        if name == kind:
            return payload, at + size
        at += size
    return None
