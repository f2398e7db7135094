"""The harvester: an OAI-PMH client that survives real-world partners, mappings of partner XML into POP
notices, and the run logic (incremental, checkpointed) driven through a small storage interface.

No Flask and no `app` here: store/harvest_storage.py implements the storage in SQL, app/commands/harvest.py and
the admin API drive it.
"""
