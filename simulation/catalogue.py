"""The firm's product catalogue: the categories a basket can span, declared once.

The simulation's people buy "the category" as one weekly need met in occasional purchases
(`simulation.rules.basket`). For market-basket analysis (购物篮分析, reference §7: support, confidence and
lift of association rules) a purchase needs items, so each purchase at the firm is split into lines, one
per product category it spans (`SimulationResult.transaction_lines`). The split never changes the amount,
the state or any draw of the run: it only decomposes each purchase.

How a purchase becomes lines (the rules are in `simulation.rules`, the draws in
`simulation.random_streams`, purpose ``PRODUCT``):

1. breadth: one category, plus the customer's cross-buying intention (交叉购买意向, reference §2)
   times `EXTRA_CATEGORIES_AT_FULL_INTENTION` rounded at random, plus one per accepted cross-sell
   (the cross-sells that also raise the basket's amount, `Parameters.cross_sell_uplift`); at most the
   catalogue's size (`rules.basket_breadth`);
2. the first category is drawn by its `preference`; each next one by its preference times its
   affinities with the categories already in the basket (`rules.choose_category`);
3. the amount is shared among the chosen categories in proportion to their `price_level`, in catalogue
   order; the last line takes the amount minus the other lines, so the lines add up to the amount
   (exactly, up to the last bit of floating-point rounding).

Every value carries its allowed range and the reason for it, as `simulation.parameters` does. The
numbers are illustrative of a general B2C retailer, not calibrated on data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


class CatalogueError(ValueError):
    """A catalogue value is missing or outside its allowed range."""


#: Allowed ranges of the declared values (inclusive; a price level, preference and affinity is > 0).
PRICE_LEVEL_RANGE = (0.1, 10.0)
PREFERENCE_RANGE = (0.001, 1.0)
AFFINITY_RANGE = (0.1, 10.0)
EXTRA_CATEGORIES_RANGE = (0.0, 10.0)
MAX_CATEGORIES = 16  # breadths are stored in one byte and categories drawn four to a counter block


@dataclass(frozen=True)
class Category:
    """One product category: its name, its Chinese name, and why its numbers are what they are."""

    name: str
    chinese: str
    price_level: float  # a line's amount relative to the other lines of its basket (range PRICE_LEVEL_RANGE)
    preference: float  # weight of being a basket's first category (range PREFERENCE_RANGE; normalised)
    why: str


@dataclass(frozen=True)
class Affinity:
    """How much more (> 1) or less (< 1) often two categories share a basket than chance alone."""

    first: str
    second: str
    value: float  # multiplies the chance of `second` once `first` is in the basket, and vice versa
    why: str


#: The categories, in catalogue order (the order of the lines of a basket and of category codes).
CATEGORIES: tuple[Category, ...] = (
    Category(
        "groceries",
        "食品杂货",
        1.0,
        0.35,
        "the everyday anchor of most baskets: the most frequent first category, at the reference price level",
    ),
    Category(
        "household",
        "家居日用",
        0.8,
        0.2,
        "cleaning and paper goods: bought often, cheap per line",
    ),
    Category(
        "personal_care",
        "个人护理",
        1.2,
        0.15,
        "toiletries and cosmetics: frequent, slightly dearer lines than groceries",
    ),
    Category(
        "baby_and_kids",
        "母婴用品",
        1.5,
        0.08,
        "nappies, baby food, children's goods: only families with children buy them, dearer lines",
    ),
    Category(
        "home_and_kitchen",
        "厨房家居",
        2.0,
        0.12,
        "cookware and furnishings: occasional, about twice the price of a grocery line",
    ),
    Category(
        "electronics",
        "数码电器",
        4.0,
        0.1,
        "small appliances and gadgets: rare but the dearest lines",
    ),
)

#: Pairs bought together more (or less) often than chance; every pair not listed has affinity 1.
AFFINITIES: tuple[Affinity, ...] = (
    Affinity("groceries", "household", 2.0, "the weekly shop: food and cleaning goods in one trip"),
    Affinity("household", "personal_care", 1.8, "the same aisles and the same replenishment rhythm"),
    Affinity("personal_care", "baby_and_kids", 2.5, "young families buy baby care with their own toiletries"),
    Affinity("groceries", "baby_and_kids", 1.5, "baby food and formula go with the food shop"),
    Affinity("home_and_kitchen", "electronics", 2.5, "kitchen appliances: setting up or renewing a home"),
    Affinity("groceries", "electronics", 0.5, "a gadget is seldom a grocery run's add-on"),
)

#: Extra categories a basket spans, on average, at full cross-buying intention (1.0); a stable customer's
#: intention (reference §2: strong, about 0.6 in the model) gives about two. Range EXTRA_CATEGORIES_RANGE.
EXTRA_CATEGORIES_AT_FULL_INTENTION = 3.0


def _check_number(value, what: str, allowed: tuple[float, float]) -> float:
    low, high = allowed
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise CatalogueError(f"{what} must be a number between {low} and {high}, got {value!r}")
    if not (math.isfinite(value) and low <= value <= high):
        raise CatalogueError(f"{what} must be between {low} and {high}, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Catalogue:
    """Categories, their pairwise affinities and the breadth of baskets, validated on creation.

    Raises `CatalogueError` naming the value and what is allowed. The arrays the rules read are
    `price_levels`, `preferences` (normalised to sum to 1) and `affinity_matrix` (symmetric, 1 on the
    diagonal and for unlisted pairs).
    """

    categories: tuple[Category, ...] = CATEGORIES
    affinities: tuple[Affinity, ...] = AFFINITIES
    extra_categories: float = EXTRA_CATEGORIES_AT_FULL_INTENTION

    def __post_init__(self):
        if not 2 <= len(self.categories) <= MAX_CATEGORIES:
            raise CatalogueError(
                f"a catalogue needs between 2 and {MAX_CATEGORIES} categories, got {len(self.categories)}"
            )
        names = [c.name for c in self.categories]
        for c in self.categories:
            if not isinstance(c.name, str) or not c.name:
                raise CatalogueError(f"a category name must be a non-empty string, got {c.name!r}")
            _check_number(c.price_level, f"price_level of category {c.name!r}", PRICE_LEVEL_RANGE)
            _check_number(c.preference, f"preference of category {c.name!r}", PREFERENCE_RANGE)
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise CatalogueError(f"category names must be unique; repeated: {', '.join(duplicates)}")
        seen = set()
        for a in self.affinities:
            for name in (a.first, a.second):
                if name not in names:
                    raise CatalogueError(
                        f"affinity {a.first!r}-{a.second!r} names unknown category {name!r}; "
                        f"categories are: {', '.join(names)}"
                    )
            if a.first == a.second:
                raise CatalogueError(f"affinity {a.first!r}-{a.second!r} must join two different categories")
            pair = frozenset((a.first, a.second))
            if pair in seen:
                raise CatalogueError(f"affinity {a.first!r}-{a.second!r} is declared twice")
            seen.add(pair)
            _check_number(a.value, f"affinity {a.first!r}-{a.second!r}", AFFINITY_RANGE)
        _check_number(self.extra_categories, "extra_categories", EXTRA_CATEGORIES_RANGE)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.categories]

    def __len__(self) -> int:
        return len(self.categories)

    @property
    def price_levels(self) -> np.ndarray:
        return np.array([float(c.price_level) for c in self.categories])

    @property
    def preferences(self) -> np.ndarray:
        weights = np.array([float(c.preference) for c in self.categories])
        return weights / weights.sum()

    @property
    def affinity_matrix(self) -> np.ndarray:
        index = {name: i for i, name in enumerate(self.names)}
        matrix = np.ones((len(self), len(self)))
        for a in self.affinities:
            i, j = index[a.first], index[a.second]
            matrix[i, j] = matrix[j, i] = float(a.value)
        return matrix

    def table(self) -> pd.DataFrame:
        """One row per category: name, Chinese name, price level, preference (normalised) and why."""
        return pd.DataFrame(
            {
                "category": self.names,
                "chinese": [c.chinese for c in self.categories],
                "price_level": self.price_levels,
                "preference": self.preferences,
                "why": [c.why for c in self.categories],
            }
        )

    def affinity_table(self) -> pd.DataFrame:
        """The affinity matrix, categories as index and columns."""
        return pd.DataFrame(self.affinity_matrix, index=self.names, columns=self.names)


#: The catalogue every run's transaction lines use.
CATALOGUE = Catalogue()
