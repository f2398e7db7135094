"""Protocols POP speaks: OAI-PMH (provider), exports. Libraries without Flask, driven by `app`."""
