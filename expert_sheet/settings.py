"""Rubric settings from TOML, with the shipped defaults."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, Field, ValidationError

DEFAULT_PATH = Path(__file__).with_name("rubric.toml")
Model = TypeVar("Model", bound=BaseModel)


class K1Settings(BaseModel):
    bands: list[float] = Field(default_factory=lambda: [25, 50, 75])


class ShareSettings(BaseModel):
    min_share: float = 0.8


class K4Settings(BaseModel):
    concrete_precisions: list[str] = Field(default_factory=lambda: ["day", "month"])
    min_share: float = 1.0


class ClassifierSettings(BaseModel):
    low_confidence: float = 0.6


class RubricSettings(BaseModel):
    k1: K1Settings = Field(default_factory=K1Settings)
    k3: ShareSettings = Field(default_factory=ShareSettings)
    k4: K4Settings = Field(default_factory=K4Settings)
    k5: ShareSettings = Field(default_factory=ShareSettings)
    k6: ShareSettings = Field(default_factory=ShareSettings)
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)


class SettingsError(ValueError):
    """A settings file that cannot be used; the message names the file and what is wrong."""


def load_toml(path: Path, model: type[Model]) -> Model:
    """`path` read into `model`; a missing file, bad TOML or a wrong value raises
    `SettingsError` with one line for the operator, not a traceback."""
    try:
        st = path.stat()
        return model.model_validate(_parsed(str(path), st.st_mtime_ns, st.st_size, st.st_ino))
    except OSError as exc:
        raise SettingsError(f"{path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    except ValidationError as exc:
        wrong = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'the file'}: {e['msg']}" for e in exc.errors()[:3]
        )
        raise SettingsError(f"{path}: {wrong}") from None


@lru_cache(maxsize=32)
def _parsed(path: str, mtime_ns: int, size: int, inode: int) -> dict:
    """The file's TOML, kept by its path and state: every school loads the rubric and the
    matcher's settings, and parsing them (pure Python) took 0.6 ms a school against 0.01
    for validating the kept table. The models copy what they validate (typed lists and
    dicts), so no caller shares or changes the kept table. A rewritten file has a new
    modification time or size and is parsed again (as git's index does, a rewrite of the
    same size within the clock's tick would go unseen: not how settings are edited)."""
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def load_settings(path: Path | None = None) -> RubricSettings:
    return load_toml(path or DEFAULT_PATH, RubricSettings)
