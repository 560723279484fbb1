"""AI-generated profile faces: StyleGAN puts the eyes at the same pixel positions in every face.

StyleGAN faces (thispersondoesnotexist and the generators behind the AI-faced Spamouflage personas of
2020-2023) are trained on FFHQ, whose faces are aligned so that the eyes sit at fixed points: in a square
image, the eye centres are at about (0.37, 0.47) and (0.62, 0.47) of the width and height. Real photos put eyes
anywhere. Yang, Singh & Menczer (2024) catch more than 99.5% of GAN faces by the distance of the detected eyes
from those points (their GANEyeDistance, <= 0.02 with a landmark detector).

Lockstep finds eyes with OpenCV's Haar cascades (shipped inside the ``opencv-python-headless`` wheel, so there
is no model download), keeps the candidate pair that best matches the canonical points, and reports the mean
distance of the two eyes from them, as a fraction of the image side. Haar boxes are coarser than landmarks,
so the default threshold is 0.025. Out of reach: diffusion-model faces (no fixed alignment), cropped or
re-framed GAN faces, non-square avatars, faces without two detectable eyes (reported as "no eyes found").
At the cluster level, many avatars of one community at the canonical positions is a strong signal even when
each single distance is borderline (see :func:`cluster_share`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lockstep.media._deps import need

CANONICAL_LEFT = (0.37, 0.47)
CANONICAL_RIGHT = (0.62, 0.47)
DEFAULT_THRESHOLD = 0.025


@dataclass(frozen=True)
class FaceCheck:
    """The eye-position check of one image."""

    path: str
    width: int
    height: int
    eyes: tuple[tuple[float, float], tuple[float, float]] | None
    distance: float | None
    gan_like: bool
    reason: str


_CASCADE: Any = None


def _cascade() -> Any:
    global _CASCADE
    if _CASCADE is None:
        cv2 = need("cv2", "AI-face checks")
        _CASCADE = cv2.CascadeClassifier(os.path.join(cv2.data.haarcascades, "haarcascade_eye.xml"))
    return _CASCADE


def eye_distance(left: tuple[float, float], right: tuple[float, float]) -> float:
    """Mean Euclidean distance of two normalised eye centres from the StyleGAN canonical points.

    Examples:
        >>> eye_distance((0.37, 0.47), (0.62, 0.47))
        0.0
        >>> round(eye_distance((0.30, 0.40), (0.65, 0.38)), 3)
        0.097
    """
    dl = math.dist(left, CANONICAL_LEFT)
    dr = math.dist(right, CANONICAL_RIGHT)
    return (dl + dr) / 2


def check_face(path: str | Path, threshold: float = DEFAULT_THRESHOLD) -> FaceCheck:
    """Detect eyes in the image at ``path`` and compare them with the canonical StyleGAN positions."""
    cv2 = need("cv2", "AI-face checks")
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if img is None:
        return FaceCheck(str(path), 0, 0, None, None, False, "unreadable image")
    h, w = img.shape[:2]
    if abs(w - h) > 0.1 * max(w, h):
        return FaceCheck(str(path), w, h, None, None, False, "not square: GAN alignment does not apply")
    if max(w, h) > 512:
        scale = 512 / max(w, h)
        img = cv2.resize(img, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    hh, ww = img.shape[:2]
    boxes = _cascade().detectMultiScale(
        img, scaleFactor=1.05, minNeighbors=5, minSize=(int(ww * 0.06),) * 2, maxSize=(int(ww * 0.3),) * 2
    )
    pts = [((x + bw / 2) / ww, (y + bh / 2) / hh) for x, y, bw, bh in boxes]
    best: tuple[float, tuple[float, float], tuple[float, float]] | None = None
    for i, a in enumerate(pts):
        for b in pts[i + 1 :]:
            left, right = (a, b) if a[0] <= b[0] else (b, a)
            if right[0] - left[0] < 0.1:
                continue
            d = eye_distance(left, right)
            if best is None or d < best[0]:
                best = (d, left, right)
    if best is None:
        return FaceCheck(str(path), w, h, None, None, False, "no eyes found")
    d, left, right = best
    gan = d <= threshold
    return FaceCheck(
        str(path), w, h, (left, right), d, gan, "eyes at the StyleGAN positions" if gan else "eyes elsewhere"
    )


def cluster_share(checks: list[FaceCheck]) -> float:
    """Share of a cluster's checked avatars that are GAN-like (0.0 for none)."""
    return sum(c.gan_like for c in checks) / len(checks) if checks else 0.0
