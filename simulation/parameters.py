"""The simulation's parameters: one typed, documented object with defaults and allowed ranges.

Every field carries its unit, allowed range and the reason for its default (``Parameters.describe()``
prints them as a table). Unknown names and out-of-range values raise :class:`ParameterError`, whose
message names the parameter and what is allowed.

Value units: "value" is a utility index in which 0 is the market's reference offer; the firm's and the
competitor's offers, service and promotions are measured on it. Money is in currency units (CU).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import numbers
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


class ParameterError(ValueError):
    """A parameter is unknown or outside its allowed range."""


def _param(default, low, high, doc: str, why: str, *, integer: bool = False, even: bool = False):
    return field(
        default=default,
        metadata={"low": low, "high": high, "doc": doc, "why": why, "integer": integer, "even": even},
    )


@dataclass(frozen=True)
class Parameters:
    """All parameters of the customer-lifecycle model, with defaults.

    Create with keyword arguments (``Parameters(n_people=5000)``); ``Parameters.from_dict`` does the same
    with a clear error for unknown names. Instances are immutable; use ``params.replace(weeks=52)``.
    """

    # --- market ---
    n_people: int = _param(
        1000,
        1,
        5_000_000,
        "market size N: people on the social network (prospects and customers)",
        "a classroom run finishes in about a second; fidelity tests use a few thousand",
        integer=True,
    )
    weeks: int = _param(
        104,
        1,
        1040,
        "weeks simulated (one step = one week)",
        "two years show every stage, and lifetimes long enough to complete",
        integer=True,
    )
    initial_customer_share: float = _param(
        0.05,
        0.0,
        1.0,
        "share of people who are new customers (identification) at week 0",
        "a young firm with a small base, so acquisition matters and lifetimes start inside the run",
    )
    network_degree: int = _param(
        6,
        0,
        50,
        "neighbours per person on the small-world network (even)",
        "typical size of a close word-of-mouth circle",
        integer=True,
        even=True,
    )
    network_rewiring: float = _param(
        0.1,
        0.0,
        1.0,
        "probability that a network tie is rewired to a random person (Watts-Strogatz)",
        "small-world: clustered circles with a few long ties, so word of mouth spreads between circles",
    )

    # --- people's needs and purchases ---
    need_median: float = _param(
        20.0,
        0.01,
        1e6,
        "median weekly category need, CU per week (spend across all sellers)",
        "scale only; every money figure is proportional to it",
    )
    need_dispersion: float = _param(
        0.8,
        0.0,
        3.0,
        "sigma of log weekly need (lognormal across people)",
        "with tenure and share-of-wallet differences, the top 20% of customers give about 70% of "
        "revenue (Kim, Singh & Winer 2017 report 73%; reference §4)",
    )
    purchase_rate_mean: float = _param(
        0.35,
        0.02,
        1.0,
        "mean weekly probability of a category purchase (varies by person)",
        "one category purchase every ~3 weeks: purchase logs with gaps, as RFM and BG/NBD expect",
    )
    amount_noise: float = _param(
        0.3,
        0.0,
        2.0,
        "sigma of the lognormal noise on each purchase amount (mean-preserving)",
        "baskets vary from trip to trip",
    )
    need_change_rate: float = _param(
        0.004,
        0.0,
        0.2,
        "weekly probability that a customer's needs change and the firm no longer fits",
        "about one customer in five a year: the reference's 'or needs change' trigger of decline (§2)",
    )
    need_change_value_loss: float = _param(
        1.0,
        0.0,
        5.0,
        "value lost (value units) when needs change; it fades 2% a week",
        "the firm's offer no longer fits: a decline that bonds and trust may or may not stop",
    )

    # --- the firm ---
    firm_value: float = _param(
        0.15,
        -5.0,
        5.0,
        "value of the firm's regular offer, in value units (0 = market reference)",
        "slightly better than the reference, so trial customers are pleased on average",
    )
    margin: float = _param(0.3, 0.0, 1.0, "gross margin as a share of revenue", "typical of retail")
    cost_per_order: float = _param(
        1.5,
        0.0,
        1e4,
        "cost to serve one order (handling, delivery, payment), CU",
        "small baskets earn less margin than they cost to serve: the whale curve of customer profit (§4; "
        "cost-to-serve as in Kaplan & Narayanan 2001)",
    )
    weekly_budget_per_person: float = _param(
        0.15,
        0.0,
        100.0,
        "weekly marketing budget, CU per person in the market (budget = this x N)",
        "about a tenth of the gross margin at steady state, so strategies must choose",
    )
    cost_acquisition_offer: float = _param(
        1.0, 0.0, 1e4, "cost of one acquisition offer, CU", "a mailed introductory offer"
    )
    cost_service: float = _param(
        2.0,
        0.0,
        1e4,
        "cost of one service / relationship contact, CU",
        "a personal call or visit costs more than a mailing",
    )
    cost_generic_offer: float = _param(
        0.5, 0.0, 1e4, "cost of one generic offer, CU", "mass mailing is cheap per piece"
    )
    cost_segment_offer: float = _param(
        1.0, 0.0, 1e4, "cost of one segment offer, CU", "design per segment costs more than one mass offer"
    )
    cost_personal_offer: float = _param(
        2.0, 0.0, 1e4, "cost of one personalised offer, CU", "customisation per customer is the dearest offer"
    )
    cost_loyalty_programme: float = _param(
        5.0,
        0.0,
        1e4,
        "cost of enrolling one customer, CU",
        "card, welcome gift and the points' expected cost",
    )
    cost_cross_sell: float = _param(
        1.5, 0.0, 1e4, "cost of one cross-sell offer, CU", "a targeted offer for a second category"
    )
    cost_win_back: float = _param(
        3.0,
        0.0,
        1e4,
        "cost of one win-back offer, CU",
        "win-back needs a generous incentive (Thomas, Blattberg & Fox 2004)",
    )

    # --- what actions do ---
    acquisition_response: float = _param(
        0.04,
        0.0,
        1.0,
        "probability that a prospect accepts an acquisition offer",
        "direct-mail response rates of a few per cent",
    )
    baseline_acquisition_rate: float = _param(
        0.002,
        0.0,
        1.0,
        "weekly probability that a prospect tries the firm unprompted",
        "slow organic growth, so marketing and word of mouth make the difference",
    )
    service_boost: float = _param(
        0.3,
        0.0,
        5.0,
        "value added by one service contact (value units); fades 15% a week",
        "a contact is noticed for a few weeks",
    )
    offer_value: float = _param(
        0.5,
        0.0,
        5.0,
        "value of an offer that fits the customer perfectly (value units, this week)",
        "a well-fitting offer is worth about two weeks of regular value noise",
    )
    offer_pull: float = _param(
        0.5,
        0.0,
        1.0,
        "how far a perfectly fitting offer moves this week's choice toward the firm",
        "an offer wins the basket of about half the customers it fits",
    )
    generic_fit: float = _param(
        0.25, 0.0, 1.0, "fit of a generic offer (0-1)", "one offer for all fits a quarter of needs"
    )
    segment_fit: float = _param(
        0.55,
        0.0,
        1.0,
        "fit of an offer designed for the customer's needs segment (0-1)",
        "segment offers fit better, but not everyone in a segment (reference §6)",
    )
    learning_switching_cost: float = _param(
        0.5,
        0.0,
        5.0,
        "switching cost added per unit of knowledge the firm gains about a customer",
        "the learning relationship: leaving means teaching a new supplier again "
        "(Pine, Peppers & Rogers 1995)",
    )
    service_switching_cost: float = _param(
        0.02,
        0.0,
        5.0,
        "switching cost added by one service / relationship contact (social bond)",
        "a personal contact adds a small social bond (Berry & Parasuraman 1991)",
    )
    cross_buy_switching_cost: float = _param(
        0.1,
        0.0,
        5.0,
        "switching cost added when a customer takes up a cross-sell (structural bond)",
        "more categories at one supplier make switching more work (Burnham et al. 2003)",
    )
    learning_rate: float = _param(
        0.25,
        0.0,
        1.0,
        "share of the remaining knowledge gap the firm closes per answered interaction",
        "the learning relationship: a few interactions teach the firm most of what it needs (§6)",
    )
    loyalty_switching_cost: float = _param(
        0.5,
        0.0,
        5.0,
        "switching cost added by enrolment in the loyalty programme (value units)",
        "points and status a customer would lose by leaving: a financial switching cost (Burnham 2003)",
    )
    cross_sell_uplift: float = _param(
        0.25,
        0.0,
        2.0,
        "growth of the customer's need met at the firm when a cross-sell is accepted",
        "a second category adds about a quarter to the basket",
    )
    max_cross_sells: int = _param(
        3,
        0,
        20,
        "categories a customer can add by cross-buying",
        "a store has a handful of related categories",
        integer=True,
    )
    win_back_response: float = _param(
        0.15,
        0.0,
        1.0,
        "probability a lost customer with full trust accepts a win-back offer",
        "win-back works on former customers who still trust the firm (Thomas et al. 2004)",
    )
    spontaneous_return_rate: float = _param(
        0.002,
        0.0,
        1.0,
        "weekly probability that a lost customer comes back unprompted",
        "a few lost customers drift back",
    )

    # --- the competitor ---
    competitor_value: float = _param(
        0.0,
        -5.0,
        5.0,
        "long-run value of the competitor's offer (value units)",
        "the competitor is the market reference",
    )
    competitor_drift: float = _param(
        0.03,
        0.0,
        1.0,
        "weekly standard deviation of the competitor's value drift",
        "the competitor improves and slips over months",
    )
    competitor_reversion: float = _param(
        0.05,
        0.0,
        1.0,
        "weekly pull of the competitor's value back to its long-run level",
        "drifts last a few months",
    )
    promotion_rate: float = _param(
        0.04,
        0.0,
        1.0,
        "weekly probability that the competitor starts a promotion",
        "about two promotions a year",
    )
    promotion_value: float = _param(
        0.8,
        0.0,
        5.0,
        "value the competitor's promotion adds while it runs (value units)",
        "a promotion is attractive enough to tempt customers with little to lose",
    )
    promotion_weeks: int = _param(4, 1, 52, "weeks a promotion runs", "a month", integer=True)
    competitor_taste_sd: float = _param(
        0.3,
        0.0,
        5.0,
        "spread of people's personal preference for the competitor (value units)",
        "some people simply prefer the competitor's style; they defect first",
    )

    # --- customer psychology (reference §2, §3, §8) ---
    expectation_sd: float = _param(
        0.2,
        0.0,
        5.0,
        "spread of people's initial expectation around the market reference",
        "some arrive expecting much, and are easily disappointed",
    )
    value_noise: float = _param(
        0.3,
        0.0,
        5.0,
        "weekly standard deviation of the value a customer experiences",
        "service encounters vary",
    )
    satisfaction_memory: float = _param(
        0.8,
        0.0,
        0.99,
        "lambda: weight of last week's satisfaction in this week's (S <- lS + (1-l)(v-E))",
        "the reference's 0.7-0.9: satisfaction is a running judgement, not one encounter (§8)",
    )
    expectation_rate: float = _param(
        0.05,
        0.0,
        1.0,
        "eta: speed at which expectations move toward experienced value",
        "the reference's 0.03-0.2: good service raises the bar within months (§8)",
    )
    tolerance: float = _param(
        0.25,
        0.0,
        5.0,
        "zone of tolerance: an experience this far below expectation still builds trust",
        "customers forgive small shortfalls; only clear disappointments cost trust",
    )
    trust_gain: float = _param(
        0.04,
        0.0,
        1.0,
        "share of the remaining trust gap gained after an acceptable experience",
        "trust builds over a few months of good experiences (Morgan & Hunt 1994)",
    )
    trust_loss_ratio: float = _param(
        3.0,
        1.0,
        10.0,
        "trust is lost this many times faster than it is gained",
        "the reference's 2-5x: trust falls faster than it grows (§8)",
    )
    initial_trust: float = _param(
        0.3, 0.0, 1.0, "trust of a new customer (0-1)", "a first purchase shows some trust, not much"
    )
    switching_cost_strength: float = _param(
        1.0,
        0.0,
        10.0,
        "multiplier on every switching-cost gain (bonds, loyalty programme, learning)",
        "1 is the default market; raise it to study lock-in (stylised fact 4)",
    )
    bond_growth: float = _param(
        0.01,
        0.0,
        1.0,
        "weekly switching-cost gain from relationship-specific investment in development and stable stages",
        "bonds build over a year or two (Berry & Parasuraman 1991)",
    )
    max_switching_cost: float = _param(
        1.0,
        0.01,
        20.0,
        "switching cost approaches this level with saturation and never exceeds it (value units)",
        "at its weight in the stable stage, full lock-in is worth about a change of needs: a locked-in "
        "customer still leaves when the firm no longer fits",
    )
    loyalty_steepness: float = _param(
        3.0,
        0.1,
        50.0,
        "how sharply loyalty responds to the firm's attractiveness",
        "an attractiveness of 0.3 above the alternative gives a loyalty of about 0.7",
    )
    intention_speed: float = _param(
        0.2,
        0.01,
        1.0,
        "share of the gap to their target that the four intentions close each week",
        "intentions follow loyalty within about a month",
    )
    decline_fade: float = _param(
        0.85,
        0.0,
        1.0,
        "weekly factor on the four intentions during decline",
        "a declining customer withdraws within a few months (§2: all intentions weaken)",
    )
    development_weeks: int = _param(
        6,
        1,
        104,
        "satisfied weeks in identification needed to move to development",
        "sustained positive satisfaction, not one good week (§8)",
        integer=True,
    )
    development_satisfaction: float = _param(
        0.02,
        -1.0,
        1.0,
        "satisfaction above which a week in identification counts as satisfied",
        "outcomes must beat expectations (Dwyer et al. 1987)",
    )
    stable_trust: float = _param(
        0.6,
        0.0,
        1.0,
        "trust needed to move from development to stable",
        "commitment needs trust well above a newcomer's",
    )
    stable_share: float = _param(
        0.4,
        0.0,
        1.0,
        "share of wallet needed to move from development to stable",
        "the firm is the customer's main supplier",
    )
    decline_threshold: float = _param(
        0.2,
        0.0,
        5.0,
        "decline starts when attractiveness falls below minus this",
        "clearly negative, so ordinary weekly noise does not start declines (§8)",
    )
    recovery_threshold: float = _param(
        0.2,
        0.0,
        5.0,
        "a declining customer recovers when attractiveness rises above this",
        "symmetric with the decline threshold; early warning plus action can save a customer",
    )
    lost_share: float = _param(
        0.03,
        0.0,
        1.0,
        "a declining customer is lost when share of wallet falls below this",
        "near zero share: the relationship has ended (§8)",
    )
    referral_rate: float = _param(
        0.1,
        0.0,
        1.0,
        "weekly probability that a customer with full referral intention recommends the firm",
        "advocates talk about a supplier now and then, not every week",
    )
    referral_conversion: float = _param(
        0.08,
        0.0,
        1.0,
        "probability that one recommendation turns a prospect into a customer",
        "a friend's recommendation converts better than mail (reference §2 referral intention)",
    )
    long_kept_weeks: int = _param(
        52,
        1,
        1040,
        "weeks in the stable stage after which a relationship counts as long-kept (pattern IV)",
        "a year of stability",
        integer=True,
    )

    # ------------------------------------------------------------------
    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            _check_value(f, value)
            # Store integers as int and reals as float, so 6.0 and 6 give identical runs.
            object.__setattr__(self, f.name, int(value) if f.metadata["integer"] else float(value))

    @classmethod
    def check_names(cls, names) -> None:
        """Reject unknown parameter names, suggesting the closest valid ones."""
        valid = cls.names()
        unknown = [name for name in names if name not in valid]
        if unknown:
            name = unknown[0]
            close = difflib.get_close_matches(str(name), valid, n=3)
            nearest = difflib.get_close_matches(str(name), valid, n=1, cutoff=0.0)
            hint = (
                f" Did you mean {', '.join(close)}?"
                if close
                else f" The closest name is {nearest[0]}."
                if nearest
                else ""
            )
            raise ParameterError(
                f"unknown parameter {name!r}.{hint} Parameters.describe() lists all {len(valid)} parameters."
            )

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None = None, **more: Any) -> Parameters:
        """Build parameters from a mapping; unknown names are rejected with the closest valid names."""
        return cls(**{**(values or {}), **more})

    @classmethod
    def preset(cls, name: str, **changes: Any) -> Parameters:
        """A named market preset (e.g. ``"cdnow"``, calibrated to real customers), with optional changes.

        Presets live in ``simulation/presets/NAME.toml``, each with a data card ``NAME.md`` saying what was
        fitted, to what and how well; parameters a preset does not list keep their defaults.
        """
        return cls.from_dict({**preset_values(name), **changes})

    def replace(self, **changes: Any) -> Parameters:
        return type(self).from_dict(dataclasses.asdict(self), **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def weekly_budget(self) -> float:
        return self.weekly_budget_per_person * self.n_people

    def action_costs(self) -> dict[str, float]:
        """Cost per action, keyed by the action's lower-case name."""
        return {
            "acquisition_offer": self.cost_acquisition_offer,
            "service": self.cost_service,
            "generic_offer": self.cost_generic_offer,
            "segment_offer": self.cost_segment_offer,
            "personal_offer": self.cost_personal_offer,
            "loyalty_programme": self.cost_loyalty_programme,
            "cross_sell": self.cost_cross_sell,
            "win_back": self.cost_win_back,
        }

    @classmethod
    def describe(cls) -> pd.DataFrame:
        """A table of every parameter: default, allowed range, meaning and the reason for the default."""
        rows = []
        for f in dataclasses.fields(cls):
            m = f.metadata
            rows.append(
                {
                    "parameter": f.name,
                    "default": f.default,
                    "low": m["low"],
                    "high": m["high"],
                    "meaning": m["doc"],
                    "why this default": m["why"],
                }
            )
        return pd.DataFrame(rows).set_index("parameter")


PRESETS_DIR = Path(__file__).resolve().parent / "presets"


def preset_names() -> list[str]:
    """Names of the market presets shipped in ``simulation/presets``."""
    return sorted(path.stem for path in PRESETS_DIR.glob("*.toml"))


def preset_values(name: str) -> dict[str, Any]:
    """The parameter values of a market preset (only those it sets); ParameterError for an unknown name."""
    import tomllib

    path = PRESETS_DIR / f"{name}.toml"
    if not isinstance(name, str) or not name or "/" in name or not path.is_file():
        raise ParameterError(f"unknown preset {name!r}; presets: {', '.join(preset_names()) or 'none'}")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    values = data.get("parameters", {})
    Parameters.check_names(values)
    if data.get("preset", {}).get("status") != "calibrated":
        warnings.warn(
            f"preset {name!r} is {data.get('preset', {}).get('status', 'unmarked')}: see "
            f"simulation/presets/{name}.md before relying on it",
            UserWarning,
            stacklevel=3,
        )
    return dict(values)


def _named_keywords(init):
    """Wrap the dataclass's __init__ so an unknown keyword gets ParameterError with a suggestion, not
    Python's bare TypeError."""

    @functools.wraps(init)
    def checked_init(self, *args, **kwargs):
        type(self).check_names(kwargs)
        init(self, *args, **kwargs)

    return checked_init


Parameters.__init__ = _named_keywords(Parameters.__init__)


def _check_value(f: dataclasses.Field, value: Any) -> None:
    m = f.metadata
    low, high = m["low"], m["high"]
    allowed = f"an {'even ' if m['even'] else ''}integer" if m["integer"] else "a number"
    allowed += f" in [{low:g}, {high:g}]"
    # numbers.Real covers numpy scalars (np.int64, np.float32), which come out of arrays and sweeps.
    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    if m["integer"]:
        ok_type = is_number and math.isfinite(value) and float(value).is_integer()
    else:
        ok_type = is_number and math.isfinite(value)
    if not ok_type:
        raise ParameterError(f"parameter {f.name!r} must be {allowed}, got {value!r}")
    if not (low <= value <= high) or (m["even"] and int(value) % 2):
        raise ParameterError(f"parameter {f.name!r} must be {allowed}, got {value!r}")
