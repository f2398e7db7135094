"""The command areas of `pop` (`pop harvest …`, `pop export …`), one module each; app/cli.py assembles them.
Areas import what they share from `common`, which imports no area."""
