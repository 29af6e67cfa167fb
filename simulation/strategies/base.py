"""The strategy interface: how a firm turns what it observes into this week's actions.

A strategy is anything with a ``plan(view, plan)`` method (or a plain function ``f(view, plan)``):
`view` is a :class:`~simulation.firm.FirmView` of the firm's records, `plan` a
:class:`~simulation.firm.Plan` that funds actions from the weekly budget. A student's strategy in a
notebook cell::

    from simulation import Action, Stage

    def reward_the_best(view, plan):
        regulars = view.in_stage(Stage.DEVELOPMENT, Stage.STABLE)
        plan.add(view.rank_by(regulars, view.recent_value), Action.PERSONAL_OFFER)

    run_simulation(strategy=reward_the_best)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from simulation.firm import FirmView, Plan
from simulation.stages import Action


class Strategy:
    """Base class for strategies. Subclasses set `name` and `description` and implement `plan`."""

    name: str = "custom"
    description: str = "a user-defined strategy"

    def plan(self, view: FirmView, plan: Plan) -> None:
        raise NotImplementedError("a strategy implements plan(view, plan)")

    def __repr__(self) -> str:
        return f"<strategy {self.name}>"


class FunctionStrategy(Strategy):
    """Wraps a plain function ``f(view, plan)`` as a strategy named after the function."""

    def __init__(self, function: Callable[[FirmView, Plan], None], name: str | None = None):
        self.function = function
        self.name = name or getattr(function, "__name__", "custom")
        doc = (getattr(function, "__doc__", None) or "").strip()
        self.description = doc.splitlines()[0] if doc else "a user-defined strategy"

    def plan(self, view: FirmView, plan: Plan):
        # Passed back so the firm can tell a strategy that returns its targets instead of funding them.
        return self.function(view, plan)


STRATEGIES: dict[str, type[Strategy]] = {}


def register_strategy(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator: make a strategy available by name (to `run_simulation`, `compare`, `crmlab`)."""
    STRATEGIES[cls.name] = cls
    return cls


def strategy_names() -> list[str]:
    return list(STRATEGIES)


def get_strategy(spec) -> Strategy:
    """A strategy from a registered name, a Strategy class or instance, or a function ``f(view, plan)``."""
    if isinstance(spec, Strategy):
        return spec
    if isinstance(spec, type) and issubclass(spec, Strategy):
        return spec()
    if isinstance(spec, str):
        if spec not in STRATEGIES:
            raise ValueError(f"unknown strategy {spec!r}; valid strategies: {', '.join(STRATEGIES)}")
        return STRATEGIES[spec]()
    if callable(spec):
        return FunctionStrategy(spec)
    raise ValueError(
        f"strategy must be a name ({', '.join(STRATEGIES)}), a Strategy or a function "
        f"f(view, plan); got {spec!r}"
    )


def spend_in_order(plan: Plan, steps: Sequence[tuple[object, Action, float]]) -> None:
    """Fund each (people, action, budget share) in turn; money a step cannot use rolls over to the next.

    Shares are of the whole weekly budget. After the last step, whatever is left goes round the steps
    once more in the same order, so a strategy does not leave budget idle when one group is small.
    """
    carry = 0.0
    for people, action, share in steps:
        allowance = share * plan.budget + carry
        before = plan.spent
        plan.add(people, action, max_spend=allowance)
        carry = allowance - (plan.spent - before)
    for people, action, _ in steps:
        if plan.remaining <= 0:
            break
        plan.add(people, action)
