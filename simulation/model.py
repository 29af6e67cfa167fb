"""The customer-lifecycle model: a market of people, a firm with a strategy, and a competitor.

One step is one week:

1. the competitor's offer drifts, and a promotion may start;
2. the firm's strategy looks at the firm's records and plans this week's actions within the budget;
3. the model draws this week's random numbers for everyone at once;
4. every person updates (prospects may be acquired, customers move through the stages, lost customers
   may return), all from the start-of-week state, so the order of updates never matters;
5. the firm books transactions, responses, costs and what it learned; the DataCollector records the
   week's metrics.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from mesa import DataCollector, Model
from tqdm.auto import tqdm

from simulation import rules
from simulation.agents import Competitor, Firm
from simulation.network import max_degree, small_world_edges
from simulation.outputs import (
    METRIC_COLUMNS,
    SimulationResult,
    action_table,
    customer_table,
    transaction_table,
)
from simulation.parameters import ParameterError, Parameters
from simulation.population import AgentPeople, VectorPeople, WeekInputs, initial_state
from simulation.stages import Stage
from simulation.strategies import get_strategy

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
        # (strategies compared on the same seed face the same customers and the same luck).
        network_rng, strategy_rng = self.rng.spawn(2)

        edges = small_world_edges(p.n_people, p.network_degree, p.network_rewiring, network_rng)
        self.edges = edges  # the social network's ties, (E, 2) person ids
        self.referral_table = rules.referral_conversion_table(p.referral_conversion,
                                                              max_degree(p.n_people, edges))
        self.people = ENGINES[engine](self, initial_state(p, self.rng), edges)
        self.competitor = Competitor(self, p.competitor_value, p.competitor_drift, p.competitor_reversion,
                                     p.promotion_rate, p.promotion_value, p.promotion_weeks)
        self.strategy = get_strategy(strategy)
        self.firm = Firm(self, self.strategy, p.n_people, p.weekly_budget, p.action_costs(), p.margin,
                         strategy_rng)
        self.week_inputs = None
        self._transactions: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._actions: list[tuple[np.ndarray, np.ndarray]] = []
        self._book_initial_customers()
        self.week_metrics: dict[str, float] = {}
        self.datacollector = DataCollector(
            model_reporters={name: (lambda m, key=name: m.week_metrics[key]) for name in METRIC_COLUMNS})
        self.running = p.weeks > 0

    @property
    def week(self) -> int:
        """The last completed week (0 before the first step)."""
        return self.steps

    def step(self) -> None:
        p, week = self.p, self.steps
        self.competitor.step()
        market = rules.Market(week, self.competitor.value, self.competitor.promotion_value)

        plan = self.firm.plan_week(week)
        actions = plan.actions
        records = self.firm.records
        stage_before = self.people.field("stage").copy()
        customers = np.flatnonzero(is_customer(stage_before))
        # The draws are made for the whole population at once, in a fixed order, whatever the engine.
        acquisition = self.rng.random(p.n_people)
        customer_draws = self._customer_draws(p, customers)
        offer_fit = records.offer_fit(actions, p.generic_fit, p.segment_fit)
        inputs = WeekInputs(acquisition, customers, customer_draws, actions, offer_fit,
                            records.learning_gain, self.referral_table, market)
        outcome = self.people.step(inputs)

        costs = self.firm.cost_per_person(actions)
        spend = outcome["spend"]
        records.record_week(week, actions, costs, spend, outcome["responded"], p.learning_rate)
        self._book_transactions(week, spend)
        contacted = np.flatnonzero(actions)
        self._actions.append((contacted.astype(np.int32), actions[contacted]))
        self._record_metrics(week, stage_before, outcome, plan, market)
        self.datacollector.collect(self)
        if week >= p.weeks:
            self.running = False

    def _book_transactions(self, week: int, spend: np.ndarray) -> None:
        buyers = np.flatnonzero(spend > 0)
        self._transactions.append((buyers.astype(np.int32), np.full(buyers.size, week, dtype=np.int32),
                                   spend[buyers]))

    def _book_initial_customers(self) -> None:
        """The customers the firm starts with made their trial purchase in week 0.

        The firm knows its existing customers: their trial purchases are in its records and in the
        transaction log (week 0), so no strategy mistakes them for prospects.
        """
        everyone = SimpleNamespace(**{name: self.people.field(name) for name in rules.STATE_FIELDS})
        starting = rules.start_relationship(everyone, self.p)["spend"]
        initial = self.people.field("acquired_week") == 0
        spend = np.where(initial, starting, 0.0)
        no_action = np.zeros(self.p.n_people, dtype=np.int8)
        self.firm.records.record_week(0, no_action, np.zeros(self.p.n_people), spend,
                                      np.zeros(self.p.n_people, dtype=bool), self.p.learning_rate)
        self._book_transactions(0, spend)

    def _customer_draws(self, p, customers: np.ndarray) -> tuple:
        """This week's purchase and noise draws of the current customers.

        Everyone draws, customer or not, and each customer takes their own: so person i meets the same
        luck in week t under every strategy (common random numbers). Drawing only for current customers
        would be faster, but then a person's numbers would depend on how many others are customers, and
        comparisons between strategies would be several times noisier.
        """
        n = p.n_people
        uniforms = self.rng.random((5, n))
        noise = self.rng.normal(0.0, p.value_noise, n)
        # Mean-one lognormal basket factor: E[exp(N(-s^2/2, s))] = 1.
        factor = self.rng.lognormal(-0.5 * p.amount_noise ** 2, p.amount_noise, n)
        return (*(row[customers] for row in uniforms), noise[customers], factor[customers])

    def _record_metrics(self, week, stage_before, outcome, plan, market) -> None:
        actions = plan.actions
        people = self.people
        stage = people.field("stage")
        counts = np.bincount(stage, minlength=len(Stage))
        customers_before = is_customer(stage_before)
        current = is_customer(stage)
        revenue = float(outcome["spend"].sum())
        cost = plan.cost
        gross_margin = self.p.margin * revenue
        service_cost = self.p.cost_per_order * int(np.count_nonzero(outcome["spend"]))
        metrics = {"week": week}
        metrics.update({s.label: int(counts[s]) for s in Stage})
        metrics.update(
            new_customers=int(outcome["acquired"].sum()),
            won_back=int(outcome["returned"].sum()),
            lost_customers=int(outcome["became_lost"].sum()),
            revenue=revenue, gross_margin=gross_margin, service_cost=service_cost, marketing_cost=cost,
            profit=gross_margin - service_cost - cost,
            retention_rate=_mean(~outcome["became_lost"][customers_before]),
            mean_satisfaction=_mean(people.field("satisfaction")[current]),
            mean_trust=_mean(people.field("trust")[current]),
            mean_switching_cost=_mean(people.field("switching_cost")[current]),
            mean_share_of_wallet=_mean(people.field("share_of_wallet")[current]),
            competitor_value=float(market.competitor_value),
            competitor_promotion=bool(market.promotion_value > 0),
            actions_funded=int(np.count_nonzero(actions)),
            actions_unfunded=int(plan.unfunded),
        )
        self.week_metrics = metrics

    def run(self, weeks: int | None = None, progress: bool | None = False) -> SimulationResult:
        """Run the remaining weeks (or `weeks` more) and return the results.

        `progress`: show a progress bar (True), never (False), or only on a terminal (None).
        """
        remaining = self.p.weeks - self.steps if weeks is None else weeks
        for _ in tqdm(range(remaining), desc=f"{self.strategy.name} ({self.engine})", unit="week",
                      disable=None if progress is None else not progress, leave=False):
            self.step()
        return self.results()

    def results(self) -> SimulationResult:
        metrics = self.datacollector.get_model_vars_dataframe()
        metrics = metrics.reset_index(drop=True)[list(METRIC_COLUMNS)]
        state = {name: self.people.field(name) for name in
                 ("stage", "acquired_week", "lost_week", "decline_start_stage", "stable_weeks",
                  "tenure_weeks", "times_won_back", "satisfaction_at_decline")}
        return SimulationResult(
            metrics=metrics,
            transactions=transaction_table(self._transactions),
            actions=action_table(self._actions),
            customers=customer_table(state, self.firm.records, self.p),
            parameters=self.p, strategy=self.strategy.name, seed=self.seed, engine=self.engine)


def _mean(values: np.ndarray) -> float:
    """Mean of a possibly empty selection; NaN when nobody is in it (e.g. no customers yet)."""
    return float(values.mean()) if values.size else float("nan")
