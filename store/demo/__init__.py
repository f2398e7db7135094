"""Demo data: realistic notices for the eight bases, deterministic for a seed (`pop demo load`).

generator.py holds the entry points; one builder module per base (joconde.py, merimee.py...) draws from the word
tables of data/*.json through the pickers and places of common.py.
"""
from .generator import PROPORTIONS, capacity, demo_batches, generate, generate_all, prepare_demo_batch, shares

__all__ = ["PROPORTIONS", "capacity", "demo_batches", "generate", "generate_all", "prepare_demo_batch", "shares"]
