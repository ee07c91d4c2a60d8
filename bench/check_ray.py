"""Issue 19: `check --ray` (a Ray Data job on a local cluster) against `check`, on a
generated tree of Markdown pages (SST-2 training phrases made into sentences, 12 a page).
Both run as the user runs them, as subprocesses; wall time includes start-up (Ray's too),
and the JSON reports must be equal but for their timing.

    .venv/bin/python bench/check_ray.py [--pages 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import machine_line, write_section

from sentiment_ls.training.data import read_labelled_tsv

TRAIN = Path(__file__).resolve().parents[2] / "shared" / "data" / "sst2" / "train.tsv"
PER_PAGE = 12
SENTIENT = [sys.executable, "-m", "sentiment_ls"]


def generate(root: Path, pages: int) -> int:
    phrases = [e.text.strip() for e in read_labelled_tsv(TRAIN) if len(e.text.split()) >= 4]
    sentences = [p[0].upper() + p[1:].rstrip(" .") + "." for p in phrases]
    used = 0
    for page in range(pages):
        body = sentences[(page * PER_PAGE) % len(sentences) :][:PER_PAGE]
        paragraphs = [" ".join(body[i : i + 3]) for i in range(0, len(body), 3)]
        folder = root / f"section-{page // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = f"# Page {page}\n\n" + "\n\n".join(paragraphs) + "\n"
        (folder / f"page-{page:05d}.md").write_text(text, encoding="utf-8")
        used += len(body)
    return used


def timed(command: list[str], cwd: Path) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command} failed ({done.returncode}): {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    report["summary"].pop("seconds")
    return seconds, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        generate(root / "site", args.pages)
        check = [*SENTIENT, "check", "site", "--format", "json", "--fail-on", "never"]
        local_s, local = timed(check, root)
        print("local", local_s, local["summary"], flush=True)
        ray_s, remote = timed([*check, "--ray"], root)
        print("ray", ray_s, flush=True)
    same = local == remote
    summary = local["summary"]
    assert isinstance(summary, dict)
    sentences = summary["sentences"]
    body = "\n".join(
        [
            "### `check --ray` against `check`",
            "",
            f"Load average {os.getloadavg()[0]:.1f} at the end (other jobs share the machine). "
            f"`.venv/bin/python bench/check_ray.py --pages {args.pages}`: {machine_line()}. "
            f"{args.pages} generated Markdown pages, {sentences} sentences; both as "
            "subprocesses, wall time with start-up (the model load; Ray's start for `--ray`, "
            "a local cluster of the machine's 2 CPUs: an actor on each).",
            "",
            "| command | wall s | sentences/s | report |",
            "|:--|--:|--:|:--|",
            f"| `check` | {local_s:.1f} | {sentences / local_s:.0f} | |",
            f"| `check --ray` | {ray_s:.1f} | {sentences / ray_s:.0f} | "
            f"{'equal to `check`' if same else 'DIFFERS from `check`'} |",
        ]
    )
    write_section("check-ray", body)


if __name__ == "__main__":
    main()
