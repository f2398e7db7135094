"""The SQL store: SQLAlchemy models and Alembic migrations, the one write path of notices, the rendering
backlog, and the storage side of each protocol (OAI repository, export reader and snapshots, harvest storage,
importer). No Flask: the web app, the CLI and the workers drive it alike.

| module | holds |
|---|---|
| `db`, `clock` | the engine and sessions; the store's clock (UTC, whole seconds) |
| `models/`, `migrations/`, `migrate` | tables; the schema's history; running it |
| `notices` | the one write path: `write_notices`, `delete_notices`, renditions, `WriteSummary` |
| `backlog` | the rendering backlog and `pop renditions rebuild` |
| `bulk` | preparing batches in worker processes (demo loads) |
| `selection` | which notices, as SQL: the one translation every reader uses |
| `oai` | `protocols.oaipmh.Repository` in SQL |
| `exports/` | the export reader (ORM and COPY behind `export_chunks`) and snapshots |
| `partners`, `harvest_storage`, `locks` | partners and runs; what a run writes; one run per partner |
| `importer`, `demo/` | `pop import`; demo notices |
| `tokens`, `stats` | admin API tokens; counts |
"""
