"""Exercises for chapter 7 · The strategy lab (docs/crm-theory-reference.md §6-§8)."""

from __future__ import annotations

import re
import traceback
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

import simulation
from exercises.core import (
    ChoiceQuestion,
    FrameQuestion,
    Incorrect,
    NotAttempted,
    NumberQuestion,
    Question,
    TimeUp,
    ____,
    is_blank,
    run_with_time_limit,
)
from simulation import Action, Stage, StrategyError, compare_strategies, get_strategy
from simulation.experiment import replication_seeds
from simulation.strategies.base import STRATEGIES as BUILT_IN_STRATEGIES
from simulation.strategies.base import FunctionStrategy

TITLE = "Exercises · Chapter 7 · The strategy lab"
NOTEBOOK = "07_strategy_lab_exercises.ipynb"
INTRO = """
Practise comparing marketing strategies in the simulation: confidence intervals from replications, common
random numbers (the same markets for every strategy), paired comparisons, and finally a strategy of your own
that has to beat mass marketing (盲目大量化营销) at the same budget.

`runs` holds the results of an experiment: the strategies in `STRATEGIES`, each run in the same 5 markets
(replications) of 500 people for 52 weeks, with the same weekly budget; one row per strategy and replication
(`seed`), with the summary metrics of each run (`profit`, `realised_clv`, ...). It was made with

    compare_strategies(STRATEGIES, replications=5, seed=2, n_people=500, weeks=52, engine="vector",
                       return_runs=True)

Chapter 7 of the course (`notebooks/07_strategy_lab.ipynb`) covers everything you need.
"""

SETUP = "from exercises.ch7 import *\n"
STRATEGIES = ["mass", "targeted", "one_to_one", "stage_based"]
EXPERIMENT = {"replications": 5, "seed": 2, "n_people": 500, "weeks": 52, "engine": "vector"}
#: the market the strategy of Question 5 is tested in (3 replications, the same seeds for both strategies)
RACE = {"replications": 3, "seed": 12, "n_people": 600, "weeks": 60, "engine": "vector"}
LEVEL = 0.95

_, runs = compare_strategies(STRATEGIES, return_runs=True, **EXPERIMENT)
runs = runs.reset_index(drop=True)


def _t_half_width(values) -> float:
    values = np.asarray(values, dtype=float)
    return float(stats.t.ppf(0.5 + LEVEL / 2, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size))


def _profit_wide() -> pd.DataFrame:
    return runs.pivot(index="seed", columns="strategy", values="profit")[STRATEGIES]


def _gains() -> pd.DataFrame:
    wide = _profit_wide()
    return wide.sub(wide["mass"], axis=0).drop(columns="mass")


def _paired_table() -> pd.DataFrame:
    gains = _gains()
    half = gains.apply(_t_half_width)
    return pd.DataFrame(
        {
            "mean_gain": gains.mean(),
            "ci_low": gains.mean() - half,
            "ci_high": gains.mean() + half,
            "wins": (gains > 0).sum(),
        }
    ).rename_axis("strategy")


#: mean profit gain over mass and its 95% interval, from the paired differences (same market, same luck)
paired = _paired_table()


# --------------------------------------------------------------------------------------------------
# 1. a confidence interval from replications


def _mass_profit() -> np.ndarray:
    return runs.loc[runs["strategy"] == "mass", "profit"].to_numpy(dtype=float)


class HalfWidth(NumberQuestion):
    statement = """One run is one market's luck, so a strategy's result is a mean over replications with a
confidence interval. Take the five profits of `mass` in `runs` and compute the **half-width** of their 95%
confidence interval (置信区间) based on the t distribution: the interval is mean ± half-width."""
    template = "mass_profit = runs.loc[runs['strategy'] == 'mass', 'profit']\nhalf_width = ____"
    variables = ["half_width"]
    decimals = 2  # money: to the cent
    setup_code = SETUP
    hints = [
        "Half-width = t × s / √n, with s the sample standard deviation (ddof=1) and n = 5 replications.",
        "t is the 97.5% quantile of the t distribution with n − 1 = 4 degrees of freedom: "
        "`stats.t.ppf(0.975, 4)` ≈ 2.776.",
        "pandas' `.std()` uses ddof=1; numpy's `np.std` uses ddof=0 unless told otherwise.",
    ]
    solution_text = (
        "t(0.975; 4) × s / √5 with s the sample standard deviation: with only five replications "
        "t ≈ 2.78 is much larger than the normal 1.96, and the interval is wide, because markets "
        "differ a lot. `compare_strategies` reports the same interval (`ci_low`, `ci_high`)."
    )
    solution_code = (
        "mass_profit = runs.loc[runs['strategy'] == 'mass', 'profit']\n"
        "n = len(mass_profit)\n"
        "half_width = stats.t.ppf(0.975, n - 1) * mass_profit.std() / np.sqrt(n)"
    )
    wrong_examples = [
        (
            "mass_profit = runs.loc[runs['strategy'] == 'mass', 'profit']\n"
            "half_width = 1.96 * mass_profit.std() / np.sqrt(5)",
            "1.96",
        ),
        (
            "mass_profit = runs.loc[runs['strategy'] == 'mass', 'profit']\n"
            "half_width = stats.t.ppf(0.975, 4) * mass_profit.std()",
            "√n",
        ),
    ]
    tolerance = 2e-3  # the hints and the solution quote t ≈ 2.776 and ≈ 2.78; the nearest mistake is 7% off

    def expected(self):
        return _t_half_width(_mass_profit())

    def mistakes(self):
        x = _mass_profit()
        n, s, s0 = x.size, x.std(ddof=1), x.std(ddof=0)
        t = stats.t.ppf(0.975, n - 1)
        return [
            (
                1.96 * s / np.sqrt(n),
                "1.96 is the normal quantile, right only for many replications; with 5 "
                "use the t distribution with 4 degrees of freedom (≈ 2.776).",
            ),
            (
                t * s,
                "that is t × s, the spread of single runs: divide by √n for the uncertainty of the mean.",
            ),
            (
                1.96 * s,
                "divide by √n (the mean of 5 runs is less uncertain than one run), and use t, not 1.96.",
            ),
            (
                t * s0 / np.sqrt(n),
                "use the sample standard deviation (ddof=1, pandas' default); np.std "
                "divides by n, not n − 1.",
            ),
            (
                stats.t.ppf(0.975, n) * s / np.sqrt(n),
                "the t distribution has n − 1 = 4 degrees of freedom, not 5.",
            ),
            (s / np.sqrt(n), "that is the standard error; multiply it by the t quantile (≈ 2.776)."),
            (
                2 * t * s / np.sqrt(n),
                "that is the whole width of the interval; the half-width is half of it.",
            ),
        ]


# --------------------------------------------------------------------------------------------------
# 2. common random numbers


class CommonRandomNumbers(ChoiceQuestion):
    statement = """In `compare_strategies`, replication *k* uses the same seed for every strategy (common random
numbers, 公共随机数): the same people, the same needs, the same competitor promotions, the same luck. Why?

- **a** so that in each replication the strategies face the same market: the difference between two strategies
  in one replication is not a difference between markets, and paired comparisons become much more precise
- **b** so that the results can be reproduced: with the same seed everyone gets the same numbers
- **c** so that each strategy's own confidence interval gets narrower
- **d** because with different seeds the strategies would get different budgets

Answer with the letter, as a string."""
    template = "crn_answer = ____"
    variables = ["crn_answer"]
    setup_code = SETUP
    options = {
        "a": "same markets: paired differences are precise",
        "b": "reproducibility",
        "c": "narrower intervals for each strategy",
        "d": "equal budgets",
    }
    correct = "a"
    hints = [
        "Would reproducibility need the SAME seed for every strategy, or just fixed seeds?",
        "Compare the spread of `runs` profits across seeds with the spread of the differences "
        "strategy − mass within each seed.",
    ]
    solution_text = (
        "(a). Most of the variation between runs comes from the market (its people and its luck), "
        "not from the strategy. With common random numbers that variation is the same for every "
        "strategy in a replication, so it cancels in the paired difference: the interval of the "
        "differences is far narrower than the separate intervals. The chapter's simulation draws "
        "each person's luck separately so that a strategy cannot shift anyone else's draws."
    )
    solution_code = "crn_answer = 'a'"
    feedback = {
        "a": "The market's luck cancels in the paired difference.",
        "b": "Fixed seeds make results reproducible, but they need not be the same seed for every "
        "strategy. Using the same one is about comparing like with like.",
        "c": "Each strategy's own interval is as wide as before: markets still differ from one "
        "replication to the next. What narrows is the interval of the paired differences.",
        "d": "The budget is set per person per week and is the same whatever the seed.",
    }
    wrong_examples = [("crn_answer = 'b'", "reproducible"), ("crn_answer = 'c'", "paired differences")]


# --------------------------------------------------------------------------------------------------
# 3. paired differences


class PairedGains(FrameQuestion):
    statement = """Use the common random numbers: for each replication (`seed`), compute each strategy's profit
minus the profit of `mass` **in the same replication**. Answer with a DataFrame indexed by `seed`, one column
per strategy (`targeted`, `one_to_one`, `stage_based`; a column of zeros for `mass` does no harm)."""
    template = "gains = ____"
    variables = ["gains"]
    decimals = 2  # money: to the cent
    setup_code = SETUP
    hints = [
        "`runs.pivot(index='seed', columns='strategy', values='profit')` puts one replication per row.",
        "Subtract the `mass` column from every column, row by row: `.sub(wide['mass'], axis=0)`.",
    ]
    solution_text = (
        "Pivot to one row per replication, then subtract mass's profit in the same row. Compare "
        "`gains.std()` with `runs.groupby('strategy')['profit'].std()`: the differences vary much "
        "less than the profits, because each market's luck cancels."
    )
    solution_code = (
        "wide = runs.pivot(index='seed', columns='strategy', values='profit')\n"
        "gains = wide.sub(wide['mass'], axis=0)"
    )
    wrong_examples = [
        (
            "wide = runs.pivot(index='seed', columns='strategy', values='profit')\n"
            "gains = -wide.sub(wide['mass'], axis=0)",
            "the other way round",
        ),
        (
            "wide = runs.pivot(index='seed', columns='strategy', values='profit')\n"
            "gains = wide - wide['mass'].mean()",
            "same replication",
        ),
    ]

    def expected(self):
        return _gains()

    def evaluate(self, answers):
        name = self.variables[0]
        value = answers[name]
        expected = self.expected()
        try:
            self.compare(value, expected, name)
        except Incorrect:
            if isinstance(value, pd.DataFrame) and all(c in value.columns for c in expected.columns):
                for wrong, message in self._mistakes():
                    try:
                        self.compare(value, wrong, name)
                    except Incorrect:
                        continue
                    raise Incorrect(message) from None
            raise
        return None

    def _mistakes(self):
        wide = _profit_wide()
        gains = _gains()
        others = [s for s in STRATEGIES if s != "mass"]
        return [
            (
                -gains,
                "you subtracted the other way round: strategy minus mass, so a positive gain means the "
                "strategy did better.",
            ),
            (
                wide[others] - wide["mass"].mean(),
                "you subtracted mass's mean profit; subtract mass's profit in the same replication (same seed), "
                "so each market's luck cancels.",
            ),
            (
                wide[others],
                "those are the profits themselves; subtract mass's profit in the same replication.",
            ),
        ]


# --------------------------------------------------------------------------------------------------
# 4. a decision from the paired table


_DECISION_OPTIONS = {"a": "targeted", "b": "one_to_one", "c": "stage_based", "d": None}


def _unpaired_overlap(strategy: str) -> bool:
    """Do the separate (unpaired) 95% intervals of `strategy` and mass overlap?"""

    def interval(name):
        values = runs.loc[runs["strategy"] == name, "profit"].to_numpy(dtype=float)
        half = _t_half_width(values)
        return values.mean() - half, values.mean() + half

    (low, high), (mass_low, mass_high) = interval(strategy), interval("mass")
    return low <= mass_high and mass_low <= high


class Decision(ChoiceQuestion):
    statement = """`paired` summarises your gains: for each strategy, the mean profit gain over mass across the 5
replications, its 95% t interval (`ci_low`, `ci_high`, computed as in Question 1 but on the paired
differences), and in how many replications it beat mass (`wins`). You want to recommend the strategy with the
highest mean gain **among those whose advantage over mass is established**: their interval lies entirely above
0, so it does not overlap "no difference". Which is it?

- **a** `targeted`
- **b** `one_to_one`
- **c** `stage_based`
- **d** none of them: no interval lies entirely above 0

Answer with the letter, as a string."""
    template = "decision = ____  # read the table first: run `paired` in a cell of its own"
    variables = ["decision"]
    setup_code = SETUP
    hints = [
        "First drop every strategy whose `ci_low` is 0 or below: its interval includes 'no gain'.",
        "Of the strategies left, pick the one with the highest `mean_gain`.",
    ]
    solution_code = (
        "established = paired[paired['ci_low'] > 0]\n"
        "best = established['mean_gain'].idxmax() if len(established) else None\n"
        "decision = {'targeted': 'a', 'one_to_one': 'b', 'stage_based': 'c', None: 'd'}[best]"
    )
    options = {key: str(name) for key, name in _DECISION_OPTIONS.items()}

    def _best(self):
        established = paired[paired["ci_low"] > 0]
        return established["mean_gain"].idxmax() if len(established) else None

    @property
    def correct(self):
        best = self._best()
        return next(key for key, name in _DECISION_OPTIONS.items() if name == best)

    @property
    def feedback(self):
        best = self._best()
        text = {}
        for key, name in _DECISION_OPTIONS.items():
            if name is None:
                if best is None:
                    text[key] = (
                        "no strategy's paired interval lies entirely above 0: mass marketing is not "
                        "beaten with confidence in these five markets."
                    )
                else:
                    text[key] = f"the paired interval of {best} lies entirely above zero."
                    if _unpaired_overlap(best):
                        text[key] += (
                            " Its separate interval overlaps mass's, but the paired one compares like "
                            "with like: the same markets, the same luck."
                        )
                continue
            row = paired.loc[name]
            interval = f"[{row['ci_low']:,.0f}, {row['ci_high']:,.0f}]"
            if name == best:
                text[key] = (
                    f"{name}: mean gain {row['mean_gain']:,.0f} CU, interval {interval} entirely above 0, "
                    f"and the highest mean gain of the established strategies."
                )
            elif row["ci_low"] <= 0:
                text[key] = (
                    f"{name}'s interval {interval} includes 0 (or lies below it): its advantage is not "
                    f"established, even with a mean gain of {row['mean_gain']:,.0f} CU."
                )
            else:
                text[key] = (
                    f"{name}'s interval {interval} lies above 0, but {best} has the higher mean gain and "
                    "is established too."
                )
        return text

    @property
    def wrong_examples(self):
        feedback, correct = self.feedback, self.correct
        examples = []
        for key in _DECISION_OPTIONS:
            if key == correct:
                continue
            message = feedback[key]
            phrase = next(
                p
                for p in ("not established", "higher mean gain", "lies entirely above zero", "no strategy's")
                if p in message
            )
            examples.append((f"decision = '{key}'", phrase))
        return examples

    @property
    def solution_text(self):
        best = self._best()
        table = paired.round(0).to_string()
        verdict = f"({self.correct}) {best}." if best is not None else "(d): none is established."
        return (
            f"{verdict} A high mean gain is not enough: with five markets the interval shows whether the "
            f"gain is more than luck. The table:\n\n```\n{table}\n```"
        )


# --------------------------------------------------------------------------------------------------
# 5. your own strategy


class _StillBlank(Exception):
    pass


class _Verdict(Exception):
    """What went wrong in the student's strategy, as the one line the student reads."""


_SIMULATION = Path(simulation.__file__).resolve().parent


def _refused_by_simulation(error: BaseException) -> bool:
    """Did the simulation's own code raise `error` (a rule the strategy broke), rather than the student's?"""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.startswith("<") or "ipykernel_" in frame.filename:
            return False  # the student's code came first, counting from where it was raised
        if Path(frame.filename).resolve().is_relative_to(_SIMULATION):
            return True
    return False


def _student_line(error: BaseException) -> str:
    lines = [
        f.lineno
        for f in traceback.extract_tb(error.__traceback__)
        if f.filename.startswith("<") or "ipykernel_" in f.filename
    ]
    return f" (line {lines[-1]} of your code)" if lines else ""


def _rule_message(error: StrategyError) -> str:
    """The simulation's 'strategy 'x', week N: problem' as 'in week N, problem'."""
    match = re.match(r"strategy '.*?', week (\d+): (.*)", str(error), flags=re.DOTALL)
    return f"in week {match[1]}, {match[2]}" if match else str(error)


def _in_chain(error: BaseException, kind: type) -> BaseException | None:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


@contextmanager
def _watching_built_in_strategies(inside_student: dict, called: set):
    """Record which built-in strategies the student's code calls (their `plan` methods), for the duration."""
    originals = {}
    for name, cls in BUILT_IN_STRATEGIES.items():
        if "plan" not in vars(cls):
            continue
        originals[cls] = vars(cls)["plan"]

        def watched(self, view, plan, _original=originals[cls], _name=name):
            if inside_student["now"]:
                called.add(_name)
            return _original(self, view, plan)

        cls.plan = watched
    try:
        yield
    finally:
        for cls, original in originals.items():
            cls.plan = original


def race(strategy) -> pd.DataFrame:
    """Run `strategy` and mass in the markets of Question 5; one row per replication and strategy."""
    _, results = compare_strategies([strategy, "mass"], return_runs=True, **RACE)
    return results


@cache
def _built_in_race(name: str) -> pd.DataFrame:
    return race(name).set_index(["strategy", "seed"]).loc[name]


def _same_results(mine: pd.DataFrame, name: str) -> bool:
    theirs = _built_in_race(name)
    columns = ["profit", "revenue", "marketing_cost"]
    return bool(
        np.allclose(
            mine.loc[theirs.index, columns].to_numpy(dtype=float),
            theirs[columns].to_numpy(dtype=float),
            rtol=1e-12,
            atol=1e-9,
        )
    )


class BeatMass(Question):
    statement = f"""Write a strategy `my_strategy(view, plan)` that earns more profit than `mass` at the same
budget. It is tested in {RACE["replications"]} markets of {RACE["n_people"]} people over {RACE["weeks"]} weeks
(common random numbers, seed {RACE["seed"]}): its mean profit gain over mass in the same markets must be
positive. `view` is what the firm observes (`view.in_stage(Stage.PROSPECT)`, `view.recent_value`,
`view.knowledge`, `view.last_contact_week`, `view.rank_by(people, score)`, `view.shuffled(people)`, ...);
`plan.add(people, Action.X, max_spend=...)` funds an action for people in the order given while the weekly
budget (`plan.budget`) lasts. Beating mass is not trivial: a strategy that only sends offers to its best
customers usually loses. Think of chapter 6: learn about customers, then customise. It must be your own: a
strategy that only calls a built-in one (`get_strategy('one_to_one').plan(view, plan)`) does not count.
`race(my_strategy)` runs the same test and shows each market."""
    template = (
        "def my_strategy(view, plan):\n"
        '    """My strategy, in one line."""\n'
        "    # fund actions with plan.add(people, Action...., max_spend=...)\n"
        "    return ____"
    )
    variables = ["my_strategy"]
    setup_code = SETUP
    hints = [
        "Keep part of the budget for acquisition offers to prospects (mass spends 40% on them): without "
        "new customers there is nobody to market to.",
        "One-to-one works in two steps: `Action.SERVICE` contacts to valuable customers you know little "
        "about (`view.knowledge < 0.5`) teach you their needs; `Action.PERSONAL_OFFER` to customers you know "
        "(knowledge ≥ 0.3), ranked by `view.recent_value * view.knowledge`, then pays.",
        "A budget split that works: 20% acquisition, 30% service to learn, 15% cross-selling to stable "
        "customers you know well, the rest personal offers; finish with `plan.add(prospects, "
        "Action.ACQUISITION_OFFER)` so no money is left idle.",
    ]
    solution_text = (
        "IDIC written out: identify (everyone who bought), differentiate (by recent value and by "
        "knowledge), interact (service contacts to learn, at most every four weeks), customise "
        "(personal offers and cross-selling where the firm knows enough). It is how the built-in "
        "`one_to_one` strategy works, so it gives the same results."
    )
    solution_code = '''def my_strategy(view, plan):
    """IDIC: learn about valuable customers, then customise offers for those we know."""
    customers = view.in_stage(Stage.IDENTIFICATION, Stage.DEVELOPMENT, Stage.STABLE, Stage.DECLINE)
    by_value = view.rank_by(customers, view.recent_value)
    knowledge = view.knowledge[by_value]
    rested = view.week - view.last_contact_week[by_value] > 3
    stable = view.rank_by(view.in_stage(Stage.STABLE), view.knowledge)
    prospects = view.shuffled(view.in_stage(Stage.PROSPECT))
    plan.add(prospects, Action.ACQUISITION_OFFER, max_spend=0.2 * plan.budget)
    plan.add(by_value[(knowledge < 0.5) & rested], Action.SERVICE, max_spend=0.3 * plan.budget)
    plan.add(stable[view.knowledge[stable] >= 0.5], Action.CROSS_SELL, max_spend=0.15 * plan.budget)
    plan.add(view.rank_by(by_value[knowledge >= 0.3], view.recent_value * view.knowledge), Action.PERSONAL_OFFER)
    plan.add(prospects, Action.ACQUISITION_OFFER)'''
    wrong_examples = [
        ("def my_strategy(view, plan):\n    pass", "spent nothing"),
        ("def my_strategy(view, plan):\n    plan.add([10 ** 9], Action.SERVICE)", "broke the rules"),
        ("def my_strategy(view, plan):\n    return view.in_stage(Stage.PROSPECT)", "broke the rules"),
        ("def my_strategy(view, plan):\n    return 1 / 0", "raised ZeroDivisionError in week 1"),
        ("def my_strategy(view, plan):\n    get_strategy('one_to_one').plan(view, plan)", "built-in"),
        ("def my_strategy(view, plan):\n    return ____", "write the body"),
    ]
    #: seconds the strategy's own code may run in one check, over all its weeks and markets
    time_limit = 10.0

    def evaluate(self, answers):
        name = self.variables[0]
        function = answers[name]
        if not callable(function):
            raise Incorrect(f"`{name}` should be a function: def {name}(view, plan): ...")
        inside = {"now": False}
        called: set[str] = set()

        def student(view, plan):
            left = self.time_left()
            inside["now"] = True
            try:
                if left <= 0:
                    raise TimeUp()
                result = run_with_time_limit(function, (view, plan), left)
            except TimeUp:
                raise _Verdict(
                    f"your strategy did not finish within {self.time_limit:g} s of computing, in "
                    f"week {view.week} (an endless loop?); the check stopped it"
                ) from None
            except SystemExit:
                raise _Verdict(
                    f"your strategy called sys.exit() in week {view.week}: a strategy funds "
                    "actions with plan.add and returns nothing"
                ) from None
            except Exception as error:
                if _refused_by_simulation(error):
                    raise _Verdict(f"your strategy broke the rules: in week {view.week}, {error}") from None
                raise _Verdict(
                    f"your strategy raised {type(error).__name__} in week {view.week}: {error}"
                    f"{_student_line(error)}"
                ) from None
            finally:
                inside["now"] = False
            if is_blank(result):
                raise _StillBlank()
            return result  # the firm refuses a strategy that returns its targets instead of funding them

        try:
            with _watching_built_in_strategies(inside, called):
                results = race(FunctionStrategy(student, name="your_strategy"))
        except Exception as error:
            if _in_chain(error, _StillBlank):
                raise NotAttempted(f"`{name}` still returns ____: write the body of your strategy.") from None
            verdict = _in_chain(error, _Verdict)
            if verdict is not None:
                raise Incorrect(str(verdict)) from None
            if isinstance(error, StrategyError):  # a rule the firm checks after the strategy has planned
                raise Incorrect(f"your strategy broke the rules: {_rule_message(error)}") from None
            raise
        wide = results.pivot(index="seed", columns="strategy", values="profit")
        cost = results.groupby("strategy")["marketing_cost"].mean()
        gain = wide["your_strategy"] - wide["mass"]
        mine, theirs, wins = wide["your_strategy"].mean(), wide["mass"].mean(), int((gain > 0).sum())
        numbers = (
            f"your strategy earned {mine:,.0f} CU on average, mass {theirs:,.0f} CU: a mean gain of "
            f"{gain.mean():+,.0f} CU, ahead in {wins} of {len(gain)} markets"
        )
        if cost["your_strategy"] <= 0:
            raise Incorrect(
                f"your strategy spent nothing, so it made no offers at all ({numbers}). Without "
                "marketing the firm wins few customers; fund actions with plan.add(...)."
            )
        # Calling a built-in strategy is allowed as a part of one's own; handing it all the work is not.
        mine_by_seed = results.set_index(["strategy", "seed"]).loc["your_strategy"]
        for built_in in sorted(called):
            if _same_results(mine_by_seed, built_in):
                raise Incorrect(
                    f"your strategy only calls the built-in `{built_in}` strategy: it gets exactly "
                    f"its results in every market ({numbers}). Write a strategy of your own; "
                    "`q5.hint()` has ideas."
                )
        if gain.mean() <= 0:
            spent = f" (it spent {cost['your_strategy']:,.0f} CU on marketing, mass {cost['mass']:,.0f} CU)"
            raise Incorrect(f"{numbers}{spent}. `q5.hint()` has ideas.")
        return f"{numbers}."


# --------------------------------------------------------------------------------------------------
# 6. isolating win-back

#: the win-back experiment of Question 6: 4 markets of 600 people for 78 weeks (common random numbers)
WIN_BACK_EXPERIMENT = {"replications": 4, "seed": 21, "n_people": 600, "weeks": 78}
COST_WIN_BACK = float(simulation.Parameters().cost_win_back)


def bond_and_rescue(view, plan):
    """Chapter 7's example: service for new customers, loyalty programme for stable ones, rescue offers."""

    def by_value(stage):
        return view.rank_by(view.in_stage(stage), view.recent_value)

    stable = by_value(Stage.STABLE)
    plan.add(by_value(Stage.DECLINE), Action.PERSONAL_OFFER, max_spend=0.3 * plan.budget)
    plan.add(stable[~view.loyalty_member[stable]], Action.LOYALTY_PROGRAMME, max_spend=0.3 * plan.budget)
    plan.add(by_value(Stage.IDENTIFICATION), Action.SERVICE, max_spend=0.2 * plan.budget)
    plan.add(view.shuffled(view.in_stage(Stage.PROSPECT)), Action.ACQUISITION_OFFER)


def bond_rescue_and_win_back(view, plan):
    """The same, plus win-back offers to the most valuable quarter of lost customers (once every 8 weeks)."""
    lost = view.in_stage(Stage.LOST)
    rested = lost[view.week - view.last_contact_week[lost] > 8]
    plan.add(
        view.rank_by(rested, view.total_spend, limit=max(1, rested.size // 4)),
        Action.WIN_BACK,
        max_spend=0.1 * plan.budget,
    )
    bond_and_rescue(view, plan)


def _win_back_runs() -> pd.DataFrame:
    settings = dict(WIN_BACK_EXPERIMENT)
    seeds = replication_seeds(settings.pop("seed"), settings.pop("replications"))
    rows = []
    for seed in seeds:
        for strategy in (bond_and_rescue, bond_rescue_and_win_back):
            result = simulation.run_simulation(strategy=strategy, seed=seed, engine="vector", **settings)
            rows.append(
                {
                    "strategy": strategy.__name__,
                    "seed": seed,
                    "profit": result.summary()["profit"],
                    "customers_won_back": int(result.metrics["won_back"].sum()),
                    "win_back_offers": int((result.actions["action"] == "win_back").sum()),
                }
            )
    return pd.DataFrame(rows)


win_back_runs = _win_back_runs()


def _won_back_means() -> tuple[float, float, float]:
    means = win_back_runs.groupby("strategy")[["customers_won_back", "win_back_offers"]].mean()
    with_offers, without = means.loc["bond_rescue_and_win_back"], means.loc["bond_and_rescue"]
    return with_offers["customers_won_back"], without["customers_won_back"], with_offers["win_back_offers"]


class WinBackCost(NumberQuestion):
    statement = """Customer win-back (客户挽回) in isolation: `win_back_runs` holds an experiment like chapter 7's.
The same strategy ran with win-back offers (`bond_rescue_and_win_back`) and without (`bond_and_rescue`) in the
same 4 markets (`seed`); each row gives the run's `profit`, the `customers_won_back` (former customers who
became customers again, with or without an offer) and the `win_back_offers` made. Each offer costs
`COST_WIN_BACK` CU. What did one extra customer won back cost the firm in win-back offers, on average? (Extra:
beyond those who came back in the runs without offers.)"""
    template = "cost_per_extra_customer = ____"
    variables = ["cost_per_extra_customer"]
    setup_code = SETUP
    decimals = 1
    hints = [
        "Average each column by strategy: `win_back_runs.groupby('strategy')[[...]].mean()`.",
        "Some lost customers come back on their own: the extra customers won back are the difference between "
        "the two strategies' means.",
        "Cost = COST_WIN_BACK × mean offers (with win-back), divided by that difference.",
    ]
    solution_text = (
        "About 156 CU per extra customer: the offers bring back about 3 more customers per market than return "
        "on their own, at 169 offers of 3 CU. Chapter 7 finds the same order of magnitude (about 140 CU), far "
        "more than the same money buys in acquisition, which is why win-back did not pay there."
    )
    solution_code = (
        "means = win_back_runs.groupby('strategy')[['customers_won_back', 'win_back_offers']].mean()\n"
        "extra = (means.loc['bond_rescue_and_win_back', 'customers_won_back']\n"
        "         - means.loc['bond_and_rescue', 'customers_won_back'])\n"
        "cost_per_extra_customer = COST_WIN_BACK * means.loc['bond_rescue_and_win_back', 'win_back_offers'] / extra"
    )
    wrong_examples = [
        (
            "means = win_back_runs.groupby('strategy')[['customers_won_back', 'win_back_offers']].mean()\n"
            "cost_per_extra_customer = (COST_WIN_BACK * means.loc['bond_rescue_and_win_back', 'win_back_offers']\n"
            "    / means.loc['bond_rescue_and_win_back', 'customers_won_back'])",
            "on their own",
        ),
        ("cost_per_extra_customer = COST_WIN_BACK", "one offer"),
    ]

    def expected(self):
        won_with, won_without, offers = _won_back_means()
        return COST_WIN_BACK * offers / (won_with - won_without)

    def mistakes(self):
        won_with, won_without, offers = _won_back_means()
        return [
            (
                COST_WIN_BACK * offers / won_with,
                "some of these customers came back on their own: divide by the extra customers won back, the "
                "difference from the runs without offers.",
            ),
            (COST_WIN_BACK, "that is the cost of one offer; most offers bring nobody back."),
            (
                offers / (won_with - won_without),
                "that is the number of offers per extra customer; multiply by COST_WIN_BACK for money.",
            ),
        ]


q1 = HalfWidth("Question 1 (confidence interval)")
q2 = CommonRandomNumbers("Question 2 (common random numbers)")
q3 = PairedGains("Question 3 (paired differences)")
q4 = Decision("Question 4 (which strategy?)")
q5 = BeatMass("Question 5 (beat mass marketing)")
q6 = WinBackCost("Question 6 (win-back in isolation)")
QUESTIONS = [q1, q2, q3, q4, q5, q6]

__all__ = [
    "COST_WIN_BACK",
    "Action",
    "LEVEL",
    "STRATEGIES",
    "Stage",
    "compare_strategies",
    "get_strategy",
    "np",
    "paired",
    "pd",
    "race",
    "runs",
    "stats",
    "win_back_runs",
    "____",
    *[f"q{i}" for i in range(1, len(QUESTIONS) + 1)],
]
