"""Staffing a call centre (呼叫中心) with the Erlang C queueing model.

The textbook names the call centre among the information technologies that push CRM forward
(docs/crm-theory-reference.md §1, the four driving forces). How many agents a service line needs is a
queueing question, answered here with the classic M/M/N model ("Erlang C"):

- calls arrive at random (a Poisson process) at ``arrival_rate`` calls per unit of time;
- each call takes an exponentially distributed time with mean ``handle_time`` (the same unit of time);
- ``agents`` identical agents answer; a caller who finds them all busy waits in one queue and never hangs up.

The offered load is ``A = arrival_rate * handle_time`` (in Erlangs: the number of agents the calls would keep
busy all the time). With ``N > A`` agents the queue is stable, and

- Erlang B by its recursion ``B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1))``;
- probability that a caller waits, ``C = N B / (N - A (1 - B))``;
- mean wait of all callers (average speed of answer), ``C h / (N - A)``;
- service level, the share of callers answered within ``t``: ``1 - C exp(-(N - A) t / h)``.

Sources: A. K. Erlang (1917), "Solution of some problems in the theory of probabilities of significance in
automatic telephone exchanges", *Elektroteknikeren* 13; L. Kleinrock (1975), *Queueing Systems, Vol. 1:
Theory*, Wiley, §3.5 (the M/M/m queue); N. Gans, G. Koole & A. Mandelbaum (2003), "Telephone call centers:
tutorial, review, and research prospects", *Manufacturing & Service Operations Management* 5(2), §4.1, which
also explains where the model is too simple (callers who hang up, arrival rates that vary within the hour).

Written here rather than taken from a library: the formulas are a few lines, the course wants students to
read them, and no well-kept Erlang C package is among the project's dependencies.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd


def _positive(value, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number; got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return number


def _agent_count(agents) -> int:
    if isinstance(agents, bool) or not float(agents).is_integer() or agents < 1:
        raise ValueError(f"agents must be a whole number of at least 1; got {agents!r}")
    return int(agents)


def _stable(load: float, agents: int) -> None:
    if agents <= load:
        raise ValueError(
            f"agents ({agents}) must exceed the offered load arrival_rate * handle_time "
            f"({load:.4g} Erlangs): with fewer agents the queue grows without end"
        )


def offered_load(arrival_rate: float, handle_time: float) -> float:
    """The offered load in Erlangs: calls per unit of time times the mean handling time (same unit)."""
    return _positive(arrival_rate, "arrival_rate") * _positive(handle_time, "handle_time")


def erlang_b(load: float, agents: int) -> float:
    """Probability that all ``agents`` are busy in a loss system (callers who find no agent are lost).

    Computed by the recursion over the number of agents, which stays accurate for hundreds of agents where
    the textbook formula with factorials overflows. Erlang C is built from it.
    """
    load = _positive(load, "load")
    agents = _agent_count(agents)
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = load * blocking / (n + load * blocking)
    return blocking


def probability_of_waiting(arrival_rate: float, handle_time: float, agents: int) -> float:
    """Erlang C: the probability that a caller finds every agent busy and has to wait."""
    load = offered_load(arrival_rate, handle_time)
    agents = _agent_count(agents)
    _stable(load, agents)
    blocking = erlang_b(load, agents)
    return agents * blocking / (agents - load * (1 - blocking))


def mean_wait(arrival_rate: float, handle_time: float, agents: int) -> float:
    """Mean time a caller waits before an agent answers (average speed of answer), in ``handle_time``'s unit.

    Averaged over all callers, including the ones answered at once.
    """
    load = offered_load(arrival_rate, handle_time)
    waiting = probability_of_waiting(arrival_rate, handle_time, agents)
    return waiting * float(handle_time) / (agents - load)


def service_level(arrival_rate: float, handle_time: float, agents: int, target_time: float) -> float:
    """Share of callers answered within ``target_time`` (e.g. the "80% within 20 seconds" of call centres)."""
    if float(target_time) < 0 or not math.isfinite(float(target_time)):
        raise ValueError(f"target_time must be a number of at least 0; got {target_time!r}")
    load = offered_load(arrival_rate, handle_time)
    waiting = probability_of_waiting(arrival_rate, handle_time, agents)
    return 1.0 - waiting * math.exp(-(agents - load) * float(target_time) / float(handle_time))


def agents_needed(
    arrival_rate: float, handle_time: float, target_time: float, target_level: float = 0.8
) -> int:
    """The fewest agents that answer at least ``target_level`` of callers within ``target_time``.

    The service level rises with every agent added, so the search starts at the first stable staffing
    (one agent more than the load) and adds agents until the target is met.
    """
    if not 0 < float(target_level) < 1:
        raise ValueError(f"target_level must lie strictly between 0 and 1; got {target_level!r}")
    load = offered_load(arrival_rate, handle_time)
    agents = math.floor(load) + 1
    while service_level(arrival_rate, handle_time, agents, target_time) < target_level:
        agents += 1
    return agents


def staffing_table(
    arrival_rate: float, handle_time: float, agents: Iterable[int], target_time: float
) -> pd.DataFrame:
    """One row per staffing level: occupancy, probability of waiting, mean wait and service level.

    Levels at or below the offered load have no steady state; their rows show occupancy 1, a probability of
    waiting of 1, an infinite mean wait and a service level of 0, so a chart over a range of staffing shows
    where the queue breaks down instead of failing.
    """
    load = offered_load(arrival_rate, handle_time)
    rows = []
    for n in agents:
        n = _agent_count(n)
        if n <= load:
            rows.append((n, 1.0, 1.0, np.inf, 0.0))
            continue
        rows.append(
            (
                n,
                load / n,
                probability_of_waiting(arrival_rate, handle_time, n),
                mean_wait(arrival_rate, handle_time, n),
                service_level(arrival_rate, handle_time, n, target_time),
            )
        )
    table = pd.DataFrame(
        rows, columns=["agents", "occupancy", "probability_of_waiting", "mean_wait", "service_level"]
    )
    table.attrs["offered_load"] = load
    return table.set_index("agents")
