"""Renditions as they are stored: a Zstandard frame of the UTF-8 XML, compressed with a dictionary of its format
trained on the store's own renditions (docs/operations.md, "Storage").

An oai_dc record of the demo data is 1.7 kB of XML, too small for PostgreSQL to compress at all (it compresses a
value only in a row over ~2 kB); with a dictionary of its format, Zstandard makes it ~0.15 kB, and reads it
back in 1–3 µs. A frame names its dictionary (its id, in the frame header), so every frame stays readable
whatever dictionaries come later: a store starts with none (frames without a dictionary: ~2× smaller than the
XML), `ensure_dictionaries` trains one per format once the store holds enough renditions of it and repacks
those packed before, and `pop renditions pack` trains anew and repacks everything on demand.

Dictionaries are rows of `rendition_dictionary` (id = the frame's dictionary id), never changed nor deleted
while a frame names them. Each process's `Packer` loads them when it meets a dictionary id it does not know, and
looks for new ones at most every `RELOAD` seconds when it packs.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
import weakref
from datetime import datetime, timezone
from typing import Iterable, NamedTuple

import zstandard
from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update

from .models import Rendition, RenditionDictionary

LEVEL = 3  # zstd's default: ~20 µs a rendition; 9 packs them ~20 % smaller for five times the CPU
DICTIONARY_BYTES = 110 * 1024  # zstd's default dictionary size: 12× on oai_dc against 9× at 32 kB
SAMPLES = 5_000  # renditions a dictionary is trained on (at most)
MIN_SAMPLES = 1_000  # renditions of a format the store must hold before a dictionary is trained for it
RELOAD = 30.0  # seconds between two looks for dictionaries trained by another process (when packing)
_EMPTY = b""
_log = logging.getLogger("pop.store")


class UnknownDictionary(LookupError):
    """A frame names a dictionary that is not in the store (a frame from another store)."""


class _Dictionary(NamedTuple):
    compressor: zstandard.ZstdCompressor
    decompressor: zstandard.ZstdDecompressor


def _plain() -> _Dictionary:
    return _Dictionary(zstandard.ZstdCompressor(level=LEVEL, write_content_size=True), zstandard.ZstdDecompressor())


class Packer:
    """Packs and unpacks the renditions of one database. Thread-safe: zstandard's (de)compressors are not, so each
    thread has its own (`threading.local`)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._rows: dict[int, bytes] = {}  # dictionary id → its trained bytes
        self._latest: dict[str, int] = {}  # format → the id of its newest dictionary
        self._loaded_at = float("-inf")
        self.plain_packed: dict[str, int] = {}  # format → frames packed without a dictionary (`ensure_dictionaries`)
        self._lock = threading.Lock()
        self._local = threading.local()

    # --- dictionaries -------------------------------------------------------------------------------------
    def load(self, connection: Connection | None = None) -> None:
        """Read the store's dictionaries (those not known yet)."""
        query = select(RenditionDictionary.id, RenditionDictionary.format, RenditionDictionary.created_at)
        if connection is None:
            with self.engine.connect() as own:
                self._load(own, query)
        else:
            self._load(connection, query)

    def _load(self, connection: Connection, query) -> None:
        known = set(self._rows)
        rows = connection.execute(query.order_by(RenditionDictionary.created_at, RenditionDictionary.id)).all()
        missing = [row.id for row in rows if row.id not in known]
        data = dict(connection.execute(select(RenditionDictionary.id, RenditionDictionary.data)
                                       .where(RenditionDictionary.id.in_(missing))).all()) if missing else {}
        with self._lock:
            for row in rows:
                if row.id in data:
                    self._rows[row.id] = data[row.id]
                self._latest[row.format] = row.id  # ordered by creation: the last one wins
            self._loaded_at = time.monotonic()

    def dictionary_of(self, prefix: str) -> int:
        """The id of the dictionary `prefix` is packed with now (0: none yet)."""
        return self._latest.get(prefix, 0)

    def _dictionary(self, dictionary_id: int) -> _Dictionary:
        cache = getattr(self._local, "dictionaries", None)
        if cache is None:
            cache = self._local.dictionaries = {0: _plain()}
        made = cache.get(dictionary_id)
        if made is None:
            if dictionary_id not in self._rows:
                self.load()
                if dictionary_id not in self._rows:
                    raise UnknownDictionary(f"rendition dictionary {dictionary_id} is not in this store")
            trained = zstandard.ZstdCompressionDict(self._rows[dictionary_id])
            trained.precompute_compress(level=LEVEL)  # else prepared again for every frame
            compressor = zstandard.ZstdCompressor(level=LEVEL, dict_data=trained, write_content_size=True)
            made = cache[dictionary_id] = _Dictionary(compressor, zstandard.ZstdDecompressor(dict_data=trained))
        return made

    # --- frames -------------------------------------------------------------------------------------------
    def pack(self, prefix: str, xml: str | bytes, connection: Connection | None = None) -> bytes:
        """The frame of a rendition in `prefix`, with the newest dictionary of the format this process knows."""
        if time.monotonic() - self._loaded_at > RELOAD:
            self.load(connection)
        data = xml.encode("utf-8") if isinstance(xml, str) else xml
        dictionary_id = self._latest.get(prefix, 0)
        if not dictionary_id:
            self.plain_packed[prefix] = self.plain_packed.get(prefix, 0) + 1
        return self._dictionary(dictionary_id).compressor.compress(data)

    def unpack(self, frame: bytes) -> bytes:
        """The UTF-8 XML of a stored frame."""
        if not frame:
            return _EMPTY
        dictionary_id = zstandard.get_frame_parameters(frame).dict_id
        return self._dictionary(dictionary_id).decompressor.decompress(frame)

    def unpack_text(self, frame: bytes) -> str:
        return self.unpack(frame).decode("utf-8")

    # --- training -----------------------------------------------------------------------------------------
    def train(self, connection: Connection, prefix: str, samples: Iterable[bytes],
              size: int = DICTIONARY_BYTES) -> int:
        """A new dictionary of `prefix` trained on `samples` (UTF-8 XML), stored through `connection` (the
        caller commits it before any frame packed with it is); its id."""
        samples = list(samples)
        dictionary_id = secrets.randbelow(2**31 - 1) + 1  # the frame header's id: any but 0
        # zstd wants ~10-100 times the dictionary's size in samples: a small store gets a smaller dictionary
        size = max(1024, min(size, sum(map(len, samples)) // 10))
        trained = zstandard.train_dictionary(size, samples, dict_id=dictionary_id, level=LEVEL)
        connection.execute(insert(RenditionDictionary).values(
            id=dictionary_id, format=prefix, data=trained.as_bytes(), samples=len(samples),
            created_at=datetime.now(timezone.utc).replace(tzinfo=None)))  # to the µs: the newest one is used
        return dictionary_id


def _sample(connection: Connection, packer: Packer, prefix: str, count: int) -> list[bytes]:
    """Up to `count` renditions of `prefix` (UTF-8 XML), spread over the table: every k-th notice id."""
    total = connection.execute(select(func.count()).select_from(Rendition).where(Rendition.format == prefix)).scalar()
    if not total:
        return []
    step = max(1, total // count)
    frames = connection.execute(select(Rendition.packed).where(Rendition.format == prefix,
                                                                Rendition.notice_id % step == 0)
                                .limit(count)).scalars().all()
    return [packer.unpack(frame) for frame in frames]


def repack(engine: Engine, packer: Packer, prefix: str, *, batch_size: int = 2_000,
           only_older: bool = True) -> int:
    """Rewrite the renditions of `prefix` with the newest dictionary of the format (`only_older`: only those
    packed with none or an older one); the number rewritten. In batches by notice id, each committed."""
    target = packer.dictionary_of(prefix)
    done, last = 0, -1
    while True:
        with engine.begin() as connection:
            rows = connection.execute(select(Rendition.notice_id, Rendition.packed).where(
                Rendition.format == prefix, Rendition.notice_id > last)
                .order_by(Rendition.notice_id).limit(batch_size)).all()
            if not rows:
                return done
            last = rows[-1].notice_id
            stale = [(row.notice_id, row.packed) for row in rows if not only_older or
                     zstandard.get_frame_parameters(row.packed).dict_id != target]
            if stale:
                connection.execute(
                    update(Rendition).where(Rendition.format == prefix, Rendition.notice_id == bindparam("b_id"))
                    .values(packed=bindparam("b_frame")),
                    [{"b_id": notice_id, "b_frame": packer.pack(prefix, packer.unpack(frame), connection)}
                     for notice_id, frame in stale])
                done += len(stale)


def ensure_dictionaries(engine: Engine, prefixes: Iterable[str], packer: Packer | None = None, *,
                        force: bool = False) -> dict[str, int]:
    """After a write has committed: train the dictionary of each format in `prefixes` that has none yet and whose
    renditions are now numerous enough, and repack those (`train_and_repack`). Looks at the database only for a
    format this process has packed `MIN_SAMPLES` frames of without a dictionary since it last looked (or, with
    `force`, at the end of a bulk load, for every format without one). {format: renditions repacked}."""
    packer = packer or packer_for(engine)
    missing = [prefix for prefix in prefixes if not packer.dictionary_of(prefix) and (
        packer.plain_packed.get(prefix, 0) >= MIN_SAMPLES or force and packer.plain_packed.get(prefix))]
    if not missing:
        return {}
    for prefix in missing:
        packer.plain_packed[prefix] = 0
    return train_and_repack(engine, packer, missing)


def train_and_repack(engine: Engine, packer: Packer, prefixes: Iterable[str], *, only_missing: bool = True,
                     min_samples: int | None = None, samples: int = SAMPLES) -> dict[str, int]:
    """For each format in `prefixes` (`only_missing`: those without a dictionary yet) whose renditions number at
    least `min_samples`: train a dictionary on a sample of them, commit it, and repack the renditions packed
    before it. {format: renditions repacked}."""
    min_samples = MIN_SAMPLES if min_samples is None else min_samples
    packer.load()
    repacked: dict[str, int] = {}
    for prefix in prefixes:
        if only_missing and packer.dictionary_of(prefix):
            continue
        with engine.begin() as connection:
            chosen = _sample(connection, packer, prefix, samples)
            if len(chosen) < min_samples:
                continue
            try:
                packer.train(connection, prefix, chosen)
            except zstandard.ZstdError as error:  # samples too alike or too few: frames without a dictionary
                _log.warning("renditions.dictionary_not_trained", extra={"format": prefix, "reason": str(error)})
                continue
        packer.load()
        repacked[prefix] = repack(engine, packer, prefix)
    return repacked


_PACKERS: "weakref.WeakKeyDictionary[Engine, Packer]" = weakref.WeakKeyDictionary()
_PACKERS_LOCK = threading.Lock()


def packer_for(engine: Engine) -> Packer:
    """The one packer of `engine` in this process."""
    with _PACKERS_LOCK:
        packer = _PACKERS.get(engine)
        if packer is None:
            packer = _PACKERS[engine] = Packer(engine)
        return packer

