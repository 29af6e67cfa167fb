"""Agent-based simulation of the customer relationship lifecycle (Mesa).

Quick start::

    from simulation import run_simulation
    result = run_simulation(strategy="stage_based", n_people=1000, weeks=104, seed=1)
    result.metrics          # one row per week
    result.transactions     # customer_id, week, amount
    result.customers        # one row per person who was ever a customer
    result.actions          # customer_id, week, action: the firm's contacts
    result.category_spend   # customer_id, week, firm, competitor: spending a wallet survey would find
    result.transaction_lines  # customer_id, week, category, amount: each purchase's basket
"""

from simulation.experiment import compare_strategies, run_simulation
from simulation.firm import FirmView, Plan, StrategyError
from simulation.model import CustomerLifecycleModel
from simulation.outputs import SimulationResult
from simulation.parameters import ParameterError, Parameters
from simulation.stages import Action, Stage
from simulation.strategies import Strategy, get_strategy, register_strategy, strategy_names

__all__ = [
    "Action",
    "CustomerLifecycleModel",
    "FirmView",
    "ParameterError",
    "Parameters",
    "Plan",
    "SimulationResult",
    "Stage",
    "Strategy",
    "StrategyError",
    "compare_strategies",
    "get_strategy",
    "register_strategy",
    "run_simulation",
    "strategy_names",
]
