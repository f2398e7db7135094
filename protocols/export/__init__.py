"""Bulk exports: a base as CSV, JSON Lines or JSON, streamed or written to snapshot files.

- `writers`: the export formats in one table (`EXPORT_FORMATS`: name, extension, media type, encoder),
  `make_encoder`, and `stream` turning notices into byte chunks;
- `layout` (what an export holds, the `Encoder` protocol), `csv_encoder`, `json_encoders`: the encoders, one
  module per kind; only the public view of a notice is ever written;
- `query`: the filters of `/exports/{base}.{format}` (producer, since, until, fields, deleted…), validated
  into an `ExportQuery`, or an `ExportProblem` naming the bad parameter;
- `snapshot`: the full-base files of `pop export build`, written atomically with their gzip twins and a manifest.

No Flask and no database here: the app feeds these functions with notices read from the store.
"""
