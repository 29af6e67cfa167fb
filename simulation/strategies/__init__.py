"""Marketing strategies: the interface, the registry and the built-ins."""

from simulation.strategies import builtin  # noqa: F401  (registers the built-in strategies)
from simulation.strategies.base import (
    STRATEGIES,
    FunctionStrategy,
    Strategy,
    get_strategy,
    register_strategy,
    spend_in_order,
    strategy_names,
)

__all__ = [
    "STRATEGIES",
    "FunctionStrategy",
    "Strategy",
    "get_strategy",
    "register_strategy",
    "spend_in_order",
    "strategy_names",
]
