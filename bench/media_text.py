"""Media and text benchmarks: GAN-face precision/recall, PDQ hashing rate, cross-lingual embedding rate.

Usage: python bench/media_text.py [--out bench/results/media_text.json]

Needs lockstep[media,text] and ../shared/data/images. Prints tables and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "media_text.json"))
    args = ap.parse_args()
    from lockstep.media.faces import check_face
    from lockstep.media.pdq import hash_folder
    from lockstep.traces.crosslingual import embed

    faces = SHARED / "images" / "gan_faces"
    if not faces.exists():
        sys.exit(f"needs {faces}")
    t = time.perf_counter()
    fake = [check_face(p) for p in sorted((faces / "fake").glob("*.jpg"))]
    real = [check_face(p) for p in sorted((faces / "real").glob("*.jpg"))]
    face_s = time.perf_counter() - t
    rows = []
    for th in (0.015, 0.02, 0.025, 0.03, 0.04):
        tp = sum(1 for c in fake if c.distance is not None and c.distance <= th)
        fp = sum(1 for c in real if c.distance is not None and c.distance <= th)
        rows.append(
            {
                "threshold": th,
                "tp": tp,
                "fp": fp,
                "precision": tp / (tp + fp) if tp + fp else 0.0,
                "recall": tp / len(fake),
            }
        )
    print("GAN faces (50 StyleGAN2 fakes, 50 real photos):")
    print(f"{'threshold':>9} {'TP':>3} {'FP':>3} {'precision':>9} {'recall':>6}")
    for r in rows:
        print(f"{r['threshold']:>9} {r['tp']:>3} {r['fp']:>3} {r['precision']:>9.3f} {r['recall']:>6.2f}")
    no_eyes = sum(1 for c in fake + real if c.distance is None)
    print(f"images with no eye pair found: {no_eyes}; {100 / face_s:.0f} images/s")
    t = time.perf_counter()
    hashes = hash_folder(SHARED / "images" / "near_duplicates")
    pdq_rate = len(hashes) / (time.perf_counter() - t)
    rng = random.Random(0)
    words = [
        "harbour",
        "project",
        "jobs",
        "region",
        "railway",
        "village",
        "water",
        "town",
        "market",
        "bridge",
        "farmers",
        "harvest",
    ]
    texts = [" ".join(rng.choices(words, k=12)) + f" {i}" for i in range(3000)]
    embed(texts[:10])  # load the model once
    t = time.perf_counter()
    embed(texts)
    emb_rate = len(texts) / (time.perf_counter() - t)
    print(
        f"PDQ: {pdq_rate:.1f} images/s (photos up to 1080p, downscaled to 512 px); "
        f"cross-lingual embeddings: {emb_rate:.0f} posts/s"
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps(
            {
                "gan_faces": rows,
                "no_eye_pair": no_eyes,
                "face_images_per_s": 100 / face_s,
                "pdq_images_per_s": pdq_rate,
                "embed_posts_per_s": emb_rate,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
