"""Demo data: realistic notices for the eight bases, deterministic for a seed (`pop demo load`)."""
from .generator import PROPORTIONS, capacity, demo_batches, generate, generate_all, prepare_demo_batch, shares

__all__ = ["PROPORTIONS", "capacity", "demo_batches", "generate", "generate_all", "prepare_demo_batch", "shares"]
