"""POP's record model and every format it speaks, in both directions.

`bases` is the registry of the eight POP bases (built from the field dictionary), `notice` the plain
record model with its validation and public view, `format` what a metadata format is (and the
render options a deployment chooses), `registry` the metadata formats a notice renders to and `Renderers`.
Nothing here imports Flask or the database: these are pure functions over plain values.
"""
