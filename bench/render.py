"""Benchmark: rendering LIDO and EDM against oai_dc (the reference), over the same demo notices in the same run.

Demo notices are generated and validated in chunks (memory stays flat), then each chunk is rendered by every
format in turn, timing only the render calls. A format is timed on the notices of the bases it supports, with the parsing caches of formats/ emptied before each
format's pass over a chunk (each format pays its own parsing); records/s
counts the notices it was asked to render, and "× ref" compares with the reference's time on those same notices;
time is CPU time of the process (the reference machine is shared). The reference is `oai_dc` when it is registered, else `pop` (said so in
the output). Target: lido and edm within 3× of the reference's time per record.

    python bench/render.py                    # 100,000 demo notices, seed 1
    python bench/render.py --count 20000      # a quick run
"""
from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from store.demo import generate_all  # noqa: E402
from formats import dates, dimensions, profiles, rights  # noqa: E402
from formats.notice import validate_notice  # noqa: E402
from formats.registry import get_format, public_notice  # noqa: E402

# The parsing caches of the rich formats: emptied before each format's pass, so no format inherits another's.
CACHES = (dates._parse_one, dimensions._part, profiles._actor, rights.rights_from_text)

CHUNK = 5_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    reference = "oai_dc" if get_format("oai_dc") else "pop"
    prefixes = [reference, "lido", "edm"]
    formats = {p: get_format(p) for p in prefixes}
    seconds = dict.fromkeys(prefixes, 0.0)
    by_base: dict[tuple[str, str], float] = {}  # (prefix, base) → seconds, to compare on the same notices
    asked = dict.fromkeys(prefixes, 0)
    rendered = dict.fromkeys(prefixes, 0)
    out_bytes = dict.fromkeys(prefixes, 0)
    chunk = []

    def flush() -> None:
        for prefix, fmt in formats.items():
            notices = [n for n in chunk if fmt.supports(n.base)]
            render = fmt.render
            results = []
            for cache in CACHES:
                cache.cache_clear()
            gc.disable()
            for base in {n.base for n in notices}:
                batch = [n for n in notices if n.base == base]
                started = time.process_time()
                results += [render(n) for n in batch]
                elapsed = time.process_time() - started
                seconds[prefix] += elapsed
                by_base[prefix, base] = by_base.get((prefix, base), 0.0) + elapsed
            gc.enable()
            asked[prefix] += len(notices)
            rendered[prefix] += sum(r is not None for r in results)
            out_bytes[prefix] += sum(len(r) for r in results if r is not None)
        chunk.clear()

    for base, raw in generate_all(args.count, seed=args.seed):
        chunk.append(public_notice(validate_notice(base, raw)))
        if len(chunk) == CHUNK:
            flush()
    flush()
    print(f"{args.count:,} demo notices (seed {args.seed}); reference: {reference}"
          + ("" if reference == "oai_dc" else " (oai_dc is not registered on this branch)"))
    print(f"{'format':<8} {'notices':>9} {'records':>9} {'CPU s':>8} {'records/s':>10} {'µs/record':>10} "
          f"{'KiB/record':>10} {'× ref':>6}")
    for prefix in prefixes:
        cost = seconds[prefix] / max(asked[prefix], 1)
        # the reference's time on the same notices (the bases this format supports)
        ref_same = sum(t for (p, base), t in by_base.items() if p == reference and (prefix, base) in by_base)
        print(f"{prefix:<8} {asked[prefix]:>9,} {rendered[prefix]:>9,} {seconds[prefix]:>8.2f} "
              f"{asked[prefix] / seconds[prefix]:>10,.0f} {cost * 1e6:>10.1f} "
              f"{out_bytes[prefix] / max(rendered[prefix], 1) / 1024:>10.2f} {seconds[prefix] / ref_same:>6.2f}")


if __name__ == "__main__":
    main()
