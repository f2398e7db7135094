"""IIIF Presentation API 3.0 as a library: a notice's manifest (`manifest.py`) and the collections that list
them (`collection.py`), built as plain JSON-ready dicts from public notices and measured images; no I/O."""
