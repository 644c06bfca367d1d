"""Rubric settings from TOML, with the shipped defaults."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, Field

DEFAULT_PATH = Path(__file__).with_name("rubric.toml")


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


def load_settings(path: Path | None = None) -> RubricSettings:
    with (path or DEFAULT_PATH).open("rb") as fh:
        return RubricSettings.model_validate(tomllib.load(fh))
