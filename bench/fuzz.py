"""Fuzz every reader for a while: mutated hostile-corpus files and random JSON, through the real ingest.

Each input is ingested into a throwaway in-memory store. An input *passes* when the ingest either raises a
:class:`lockstep.errors.LockstepError` (a message for the user) or succeeds with read = stored + duplicates +
quarantined; anything else (another exception type, a broken count, a hang past ``--timeout``) is a finding,
saved under ``bench/results/fuzz_findings/`` with its traceback. Prints a table and writes
``bench/results/fuzz.json``.

    python bench/fuzz.py --seconds 360 --seed 1

Mutations: byte flips, inserted quotes / line breaks / BOMs / NULs / long runs, truncation, line duplication
and shuffling, encoding changes; JSON: random trees where tweet fields belong. The seed makes a run
reproducible (given the same corpus).
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from lockstep.errors import LockstepError  # noqa: E402
from lockstep.ingestion import ingest  # noqa: E402
from lockstep.store import open_store  # noqa: E402
from tests.hostile import corpus  # noqa: E402

INSERTS = [
    b'"',
    b'""',
    b"\n",
    b"\r\n",
    b"\r",
    b"\xef\xbb\xbf",
    b"\x00",
    b",",
    b"\t",
    b"\xff",
    b"{",
    b"[",
    b"\\u",
    b"\xed\xa0\x80",
]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random mutations of ``data``."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        pos = rng.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(pos, len(b) - 1)] = rng.randrange(256)
        elif op == 1:
            b[pos:pos] = rng.choice(INSERTS)
        elif op == 2 and b:
            del b[pos:]  # truncate
        elif op == 3:
            lines = bytes(b).split(b"\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            b = bytearray(b"\n".join(lines))
        elif op == 4:
            lines = bytes(b).split(b"\n")
            head, rest = lines[:1], lines[1:]
            rng.shuffle(rest)
            b = bytearray(b"\n".join(head + rest))
        elif op == 5:
            b[pos:pos] = rng.choice([b"9" * rng.randint(20, 5000), b"x" * 70000, b"[" * 3000])
        elif op == 6 and b:
            end = min(len(b), pos + rng.randint(1, 50))
            del b[pos:end]
        else:
            b = bytearray(bytes(b).replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\n"]), rng.randint(1, 5)))
    return bytes(b)


def random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False, 0, -1, 2**63, 10**40, 1.5, float("1e308")])
    if kind == 2:
        return rng.choice(["", "x", "\ud800", "2021-01-01T00:00:00Z", "-5000-01-01T00:00:00Z", "\x00", "=1+2"])
    if kind in (3, 4):
        return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randint(0, 6)))
    if kind in (5, 6):
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(["id", "text", "tag", "url", "type", "users", "media_key"]): random_json(rng, depth + 1)}


def json_input(rng: random.Random) -> bytes:
    lines = []
    for i in range(rng.randint(1, 5)):
        t = corpus.tweet(i)
        for _ in range(rng.randint(1, 3)):
            t[rng.choice([*t, "referenced_tweets", "attachments", "author", "source"])] = random_json(rng)
        obj: Any = {"data": [t], "includes": {"users": [random_json(rng)]}, "meta": {}} if rng.random() < 0.5 else t
        lines.append(json.dumps(obj))
    return ("\n".join(lines) + "\n").encode("utf-8", errors="surrogatepass")


class Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Hang()


def run_one(path: Path, args: dict[str, Any], timeout: int) -> str | None:
    """``None`` if the input passed, else a description of the finding."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    try:
        with open_store(":memory:") as store:
            report = ingest(store, [path], **args)
            for f in report.files:
                if f.rows_read != f.posts_stored + f.duplicates + f.account_rows + f.quarantined_total:
                    return f"accounting: {f}"
    except LockstepError:
        return None
    except Hang:
        return f"hang over {timeout}s"
    except Exception:
        return traceback.format_exc()
    finally:
        signal.alarm(0)
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=20)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results"))
    opts = ap.parse_args()
    rng = random.Random(opts.seed)
    seeds = [c for c in corpus.all_small_cases() if len(c.data) < 400_000]
    out = Path(opts.out)
    findings_dir = out / "fuzz_findings"
    tried: Counter[str] = Counter()
    found: Counter[str] = Counter()
    signatures: dict[str, str] = {}
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        while time.monotonic() - start < opts.seconds:
            if rng.random() < 0.3:
                kind, data, args, suffix = "twarc2-json", json_input(rng), {}, ".jsonl"
            else:
                case = rng.choice(seeds)
                kind = case.name
                data = mutate(case.data, rng)
                flags = list(case.args)
                args = {}
                if "--format" in flags:
                    args["format"] = flags[flags.index("--format") + 1]
                if "--encoding" in flags:
                    args["encoding"] = flags[flags.index("--encoding") + 1]
                if args.get("format") == "nope":
                    args.pop("format")
                suffix = Path(case.name).suffix
            path = Path(tmp) / f"input{suffix}"
            path.write_bytes(data)
            family = kind if kind == "twarc2-json" else kind.split("_")[0]
            tried[family] += 1
            problem = run_one(path, args, opts.timeout)
            if problem:
                last = problem.strip().splitlines()[-1][:200]
                found[family] += 1
                if last not in signatures:
                    signatures[last] = kind
                    findings_dir.mkdir(parents=True, exist_ok=True)
                    n = len(signatures)
                    (findings_dir / f"finding_{n}{suffix}").write_bytes(data)
                    (findings_dir / f"finding_{n}.txt").write_text(f"{kind} {args}\n{problem}", encoding="utf-8")
    total, crashes = sum(tried.values()), sum(found.values())
    print(f"{'family':<16}{'inputs':>10}{'findings':>10}")
    for fam in sorted(tried):
        print(f"{fam:<16}{tried[fam]:>10,}{found[fam]:>10,}")
    print(f"{'total':<16}{total:>10,}{crashes:>10,}   distinct: {len(signatures)}   {time.monotonic() - start:.0f}s")
    for sig, kind in signatures.items():
        print(f"  [{kind}] {sig}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "fuzz.json").write_text(
        json.dumps(
            {
                "seconds": opts.seconds,
                "seed": opts.seed,
                "inputs": total,
                "findings": crashes,
                "distinct": signatures,
                "by_family": {k: {"inputs": tried[k], "findings": found[k]} for k in sorted(tried)},
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
