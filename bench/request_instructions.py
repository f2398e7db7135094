"""Benchmark: the work of one request inside the app, in instructions (callgrind: deterministic, whatever the
shared machine's load), for `/healthz`, GetRecord `oai_dc` and a cached IIIF manifest.

    python bench/request_instructions.py --database postgresql://postgres@127.0.0.1/pop_bench_getrecord \\
        [--baseline /tmp/pop_base] [--counts 100 400]

The database is bench/getrecord.py's (`load`). For each tree (this one, and `--baseline`, a `git worktree` of the
commit to compare with) and each request, the app is run in one process under
`valgrind --tool=callgrind` twice, asking the request `--counts` N1 and N2 times through its WSGI callable (after
the same warm-up: imports, connections, and every manifest asked once so that the measured ones are cached);
the difference of the two totals divided by N2 - N1 is the work of one request: routing, hooks, the view,
the protocol, the driver's side of the statement, the response. Not in it: gunicorn, the client, the kernel
and PostgreSQL (bench/getrecord.py measures those, over HTTP).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM = 50


def child(paths_file: str, count: int) -> None:
    """In the measured process: `count` requests after the warm-up (paths and environment from the parent)."""
    sys.path.insert(0, os.environ["ROOT"])
    plan = json.loads(Path(paths_file).read_text())
    from werkzeug.test import EnvironBuilder

    from wsgi import app

    def ask(path: str) -> None:
        environ = EnvironBuilder(path=path.split("?")[0], query_string=path.partition("?")[2],
                                 headers={"Accept-Encoding": "identity"}).get_environ()
        status = []
        body = app(environ, lambda s, h, e=None: status.append(s))
        b"".join(body)
        body.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"{path}: {status[0]}")

    for path in plan["warm"]:
        ask(path)
    paths = plan["paths"]
    for n in range(count):
        ask(paths[n % len(paths)])


def _instructions(root: Path, env: dict[str, str], paths_file: str, count: int) -> int:
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                             __file__, "--child", paths_file, str(count)],
                            env={**env, "ROOT": str(root)}, capture_output=True, text=True)
    match = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode or not match:
        raise SystemExit(f"callgrind run failed ({root}, {count}): {result.stderr[-2000:]}")
    return int(match[1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--baseline", help="a worktree of the commit to compare with (git worktree add)")
    parser.add_argument("--counts", type=int, nargs=2, default=(100, 400), metavar=("N1", "N2"))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.getrecord import _env, _identifiers, _image_base
    from bench.iiif import manifest_paths

    image_base = _image_base(args.database)
    getrecords = _identifiers(args.database, max(args.counts) + WARM, seed=1)
    manifests = manifest_paths(args.database, image_base)[:300]
    plans = {"/healthz": {"warm": ["/healthz"] * WARM, "paths": ["/healthz"]},
             "GetRecord oai_dc": {"warm": getrecords[-WARM:], "paths": getrecords[:-WARM]},
             "manifest, cached": {"warm": manifests, "paths": manifests}}
    roots = [("this tree", ROOT)] + ([("baseline", Path(args.baseline).resolve())] if args.baseline else [])
    results: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for request, plan in plans.items():
            paths_file = os.path.join(folder, "plan.json")
            Path(paths_file).write_text(json.dumps(plan))
            for name, root in roots:
                env = {**_env(args.database, image_base, root), "PYTHONPATH": ""}
                low, high = (_instructions(root, env, paths_file, n) for n in args.counts)
                results.setdefault(name, {})[request] = (high - low) // (args.counts[1] - args.counts[0])
                print(f"{name}, {request}: {results[name][request]:,} instructions", flush=True)
    print("\n| request | " + " | ".join(name for name, _ in roots) + " |")
    print("|---|" + "---|" * len(roots))
    for request in plans:
        print(f"| {request} | " + " | ".join(f"{results[name][request]:,}" for name, _ in roots) + " |")


if __name__ == "__main__":
    main()
