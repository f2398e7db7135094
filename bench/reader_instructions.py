"""Benchmark: the harvest reader's work per record, in instructions (deterministic, whatever the machine's load).

One page of 100 records of bench/harvest.py's feed is read (`harvest.page.read_page`) and mapped (`map_page`:
parse, map, normalise, validate, fingerprint) PAGES times. Run it under callgrind twice, with PAGES and with 0,
and divide the difference by PAGES × 100:

    valgrind --tool=callgrind --callgrind-out-file=/dev/null python bench/reader_instructions.py pop 5
    valgrind --tool=callgrind --callgrind-out-file=/dev/null python bench/reader_instructions.py pop 0

`ROOT=<another checkout>` measures that checkout's code (a `git worktree` of an older commit) with the same feed.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("ROOT", str(Path(__file__).resolve().parent.parent)))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # bench.harvest's feed, whatever ROOT is

from bench.harvest import OAI_HEAD, templates  # noqa: E402
from formats.bases import get_base  # noqa: E402
from harvest.mappings import get_mapping  # noqa: E402
from harvest.page import read_page  # noqa: E402
from harvest.partner import PartnerConfig  # noqa: E402

import harvest.runner as _runner  # noqa: E402

map_page = getattr(_runner, "map_page", None)  # where older checkouts kept it
if map_page is None:
    from harvest.reader import map_page  # noqa: E402


def main() -> None:
    prefix, pages = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
    template = templates()[prefix]
    records = "".join(template.replace("@REF@", f"BENCH{n:06d}").replace("@N@", str(n)) for n in range(100))
    data = (OAI_HEAD.format(verb="ListRecords") + "<ListRecords>" + records
            + '<resumptionToken completeListSize="1000">t1</resumptionToken></ListRecords></OAI-PMH>').encode()
    partner = PartnerConfig(name="bench", url="http://bench.example/oai", base="joconde", metadata_prefix=prefix)
    base, mapping = get_base("joconde"), get_mapping(partner.mapping_name)

    def one() -> None:
        page = read_page(data)
        outcome = map_page(page.records, partner, base, mapping)
        assert len(outcome.notices) == 100, outcome.issues[:1]
        if hasattr(page, "detach"):
            page.detach()

    one()  # imports, caches: paid by both runs alike
    for _ in range(pages):
        one()


if __name__ == "__main__":
    main()
