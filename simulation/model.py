"""The customer-lifecycle model: a market of people, a firm with a strategy, and a competitor.

One step is one week:

1. the competitor's offer drifts, and a promotion may start;
2. the firm's strategy looks at the firm's records and plans this week's actions within the budget;
3. every person updates (prospects may be acquired, customers move through the stages, lost customers
   may return), each from their own start-of-week state with their own counter-based draws
   (`simulation.random_streams`), so the order of updates never matters;
4. the firm books transactions, responses, costs and what it learned; the DataCollector records the
   week's metrics.
"""

from __future__ import annotations

import numpy as np
from mesa import DataCollector, Model
from tqdm.auto import tqdm

from simulation import kernels, rules
from simulation.agents import Competitor
from simulation.firm import Firm
from simulation.network import max_degree, small_world_edges
from simulation.outputs import (
    METRIC_COLUMNS,
    SimulationResult,
    WeeklyLog,
    customer_table,
)
from simulation.parameters import ParameterError, Parameters
from simulation.population import AgentPeople, VectorPeople, WeekInputs, initial_state
from simulation.random_streams import stream_key
from simulation.stages import Stage
from simulation.state import new_outcomes
from simulation.strategies import get_strategy

_STAGE_CODES_AND_LABELS = tuple((int(stage), stage.label) for stage in Stage)

ENGINES = {"agents": AgentPeople, "vector": VectorPeople}


def is_customer(stage: np.ndarray) -> np.ndarray:
    """Current customers: identification, development, stable or decline."""
    return (stage >= Stage.IDENTIFICATION) & (stage <= Stage.DECLINE)


def check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


class CustomerLifecycleModel(Model):
    """A market of `n_people` people on a small-world network, a firm and a competitor.

    Args:
        strategy: a built-in strategy name (see `simulation.strategy_names()`), a `Strategy`, or a
            function ``f(view, plan)``.
        seed: a non-negative integer; the same seed gives identical results in any process.
        engine: ``"agents"`` (a Mesa agent per person) or ``"vector"`` (numpy arrays); same results.
        **parameters: any field of :class:`~simulation.parameters.Parameters`.
    """

    def __init__(self, strategy="stage_based", seed: int = 0, engine: str = "agents", **parameters):
        if engine not in ENGINES:
            raise ParameterError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
        self.p = Parameters.from_dict(parameters)
        super().__init__(seed=check_seed(seed))
        self.seed = int(seed)
        self.engine = engine
        p = self.p
        # Separate streams, so a strategy that draws random numbers does not shift anyone's draws
        # (strategies compared on the same seed face the same customers and the same luck). People's
        # weekly draws are counter-based: a function of (seed, person, week, purpose).
        network_rng, strategy_rng = self.rng.spawn(2)
        self.stream_key = stream_key(self.seed)
        self.rule_parameters = rules.rule_parameters(p)

        edges = small_world_edges(p.n_people, p.network_degree, p.network_rewiring, network_rng)
        self.edges = edges  # the social network's ties, (E, 2) person ids
        # P(a prospect converts) by number of recommending neighbours, computed once for both engines.
        self.referral_table = np.array(
            [
                rules.referral_conversion(p.referral_conversion, k)
                for k in range(max_degree(p.n_people, edges) + 1)
            ]
        )
        self.people = ENGINES[engine](self, initial_state(p, self.rng), edges)
        self.competitor = Competitor(
            self,
            p.competitor_value,
            p.competitor_drift,
            p.competitor_reversion,
            p.promotion_rate,
            p.promotion_value,
            p.promotion_weeks,
        )
        self.strategy = get_strategy(strategy)
        self.firm = Firm(
            self, self.strategy, p.n_people, p.weekly_budget, p.action_costs(), p.margin, strategy_rng
        )
        self.log = WeeklyLog()
        self._book_initial_customers()
        self.week_metrics: dict[str, float] = {}
        # One row per week in a DataCollector table: the metrics are plain numbers computed once a week,
        # so they need no reporter functions (whose per-value deep copies cost more than the week at 1k).
        self.datacollector = DataCollector(tables={"metrics": list(METRIC_COLUMNS)})
        self.running = p.weeks > 0

    @property
    def week(self) -> int:
        """The last completed week (0 before the first step)."""
        return self.steps

    def step(self) -> None:
        p, week = self.p, self.steps
        self.competitor.step(week)
        market = rules.Market(week, self.competitor.value, self.competitor.promotion_value)

        plan = self.firm.plan_week(week)
        actions = plan.actions
        records = self.firm.records
        offer_fit = records.offer_fit(actions, plan.contacted, p.generic_fit, p.segment_fit)
        totals = self.people.step(
            WeekInputs(
                self.stream_key,
                market,
                self.rule_parameters,
                actions,
                offer_fit,
                records.learning_gain,
                self.referral_table,
            )
        )

        buyers, amounts = self._book_purchases(week, *self.people.purchases)
        records.record_week(
            week,
            actions,
            plan.contacted,
            buyers,
            amounts,
            self.people.outcomes["responded"],
            p.learning_rate,
        )
        self.log.actions.append((plan.contacted.astype(np.int32), actions[plan.contacted]))
        self._record_metrics(week, totals, plan, market)
        self.datacollector.add_table_row("metrics", self.week_metrics)
        if week >= p.weeks:
            self.running = False

    def _book_purchases(self, week: int, purchases: tuple, elsewhere: tuple) -> tuple[np.ndarray, np.ndarray]:
        """Log the week's purchases at the firm, and at the competitor: the category spending a wallet
        survey would find (the week is the log's position). Each is (ids, amounts), in id order.
        Returns the firm's purchases (ids, amounts)."""
        assert len(self.log.purchases) == week
        self.log.purchases.append(purchases)
        self.log.competitor.append(elsewhere)
        return purchases

    def _book_initial_customers(self) -> None:
        """The customers the firm starts with made their trial purchase in week 0.

        The firm knows its existing customers: their trial purchases are in its records and in the
        transaction log (week 0), so no strategy mistakes them for prospects.
        """
        n = self.p.n_people
        initial = self.people.field("acquired_week") == 0
        trial = rules.trial_purchase(self.people.field("need"), self.people.field("cross_sells"), self.p)
        # Booked as a week of outcomes, like every later week (so the compiled booking sees the same
        # array types and compiles once).
        week_zero = new_outcomes(n)
        week_zero["spend"] = np.where(initial, trial, 0.0)
        buyers, amounts = self._book_purchases(
            0, *kernels.positive_entries(week_zero["spend"], week_zero["competitor_spend"])
        )
        nobody = np.empty(0, dtype=np.int64)
        self.firm.records.record_week(
            0,
            np.zeros(n, dtype=np.int8),
            nobody,
            buyers,
            amounts,
            week_zero["responded"],
            self.p.learning_rate,
        )

    def _record_metrics(self, week, totals: np.ndarray, plan, market) -> None:
        # Python floats: a numpy scalar per read costs more than the rest of the metrics at 1k people
        p, t = self.p, totals.tolist()
        revenue = t[kernels.REVENUE]
        gross_margin = p.margin * revenue
        service_cost = p.cost_per_order * int(t[kernels.ORDERS])
        before, current = int(t[kernels.CUSTOMERS_BEFORE]), int(t[kernels.CUSTOMERS_NOW])
        nan = float("nan")  # a mean over nobody (no customers yet)
        metrics = {"week": week}
        metrics.update({label: int(t[code]) for code, label in _STAGE_CODES_AND_LABELS})
        metrics.update(
            new_customers=int(t[kernels.NEW_CUSTOMERS]),
            won_back=int(t[kernels.WON_BACK]),
            lost_customers=int(t[kernels.LOST_CUSTOMERS]),
            revenue=revenue,
            gross_margin=gross_margin,
            service_cost=service_cost,
            marketing_cost=plan.cost,
            profit=gross_margin - service_cost - plan.cost,
            retention_rate=t[kernels.RETAINED] / before if before else nan,
            mean_satisfaction=t[kernels.SUM_SATISFACTION] / current if current else nan,
            mean_trust=t[kernels.SUM_TRUST] / current if current else nan,
            mean_switching_cost=t[kernels.SUM_SWITCHING_COST] / current if current else nan,
            mean_share_of_wallet=t[kernels.SUM_SHARE_OF_WALLET] / current if current else nan,
            competitor_value=float(market.competitor_value),
            competitor_promotion=bool(market.promotion_value > 0),
            actions_funded=int(plan.contacted.size),  # the people with an action
            actions_unfunded=int(plan.unfunded),
        )
        self.week_metrics = metrics

    def run(self, weeks: int | None = None, progress: bool | None = False) -> SimulationResult:
        """Run the remaining weeks (or `weeks` more) and return the results.

        `progress`: show a progress bar (True), never (False), or only on a terminal (None).
        """
        remaining = self.p.weeks - self.steps if weeks is None else weeks
        for _ in tqdm(
            range(remaining),
            desc=f"{self.strategy.name} ({self.engine})",
            unit="week",
            disable=None if progress is None else not progress,
            leave=False,
        ):
            self.step()
        return self.results()

    def results(self) -> SimulationResult:
        metrics = self.datacollector.get_table_dataframe("metrics")
        state = {
            name: self.people.field(name)
            for name in (
                "stage",
                "acquired_week",
                "lost_week",
                "decline_start_stage",
                "stable_weeks",
                "tenure_weeks",
                "times_won_back",
                "satisfaction_at_decline",
            )
        }
        return SimulationResult(
            metrics=metrics,
            customers=customer_table(state, self.firm.records, self.p),
            log=self.log,
            parameters=self.p,
            strategy=self.strategy.name,
            seed=self.seed,
            engine=self.engine,
        )
