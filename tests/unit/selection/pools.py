"""Generated pools for the tests: co-production pools with households and confirmed people."""

from representativeness.selection.synthetic import register_pool

__all__ = ["register_pool"]
