"""What the accuracy benchmark is made of: a needle case with the answers it accepts, and the
encoders that make the files."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from reconcile import Status
from reconcile.media.fingerprint import cropped

COPY = frozenset({Status.IDENTICAL, Status.SAME})
EDIT = frozenset({Status.SAME, Status.SIMILAR})
OTHER_SHOT = frozenset({Status.SIMILAR, Status.MISSING})
UNRELATED = frozenset({Status.MISSING})
DAMAGED = frozenset({Status.UNREADABLE})
SIMILAR_ONLY = frozenset({Status.SIMILAR})


@dataclass(frozen=True, slots=True)
class Case:
    group: str  # copies, edits, other shots, unrelated, damaged
    kind: str  # a row of the table
    name: str  # file name under the needles
    data: bytes
    accept: frozenset[Status]
    counterpart: str | None = None  # the library file this needle is a copy, edit or take of
    want: frozenset[Status] | None = None  # the answer itself, where `accept` allows others

    @property
    def exact(self) -> frozenset[Status]:
        """The answer itself, not only an acceptable one: copies `same`, edits `similar`."""
        if self.want is not None:
            return self.want
        return SIMILAR_ONLY if self.group == "edits" else self.accept


def jpeg(rgb: np.ndarray, quality: int = 92, **extra: object) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "JPEG", quality=quality, **extra)
    return out.getvalue()


def encoded(rgb: np.ndarray, fmt: str, **extra: object) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, fmt, **extra)
    return out.getvalue()


def scaled(rgb: np.ndarray, factor: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))


def thumbnail(rgb: np.ndarray, side: int) -> np.ndarray:
    return scaled(rgb, side / max(rgb.shape[:2]))


def crop(rgb: np.ndarray, fraction: float) -> np.ndarray:
    return np.ascontiguousarray(cropped(rgb, fraction))
