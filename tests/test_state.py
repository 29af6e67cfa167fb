"""The person's state is declared once, and everything is built from that declaration."""

import numpy as np

from simulation import CustomerLifecycleModel
from simulation.state import OUTCOME_FIELDS, STATE_DTYPE, STATE_FIELDS, STATE_NAMES, describe, new_state


def test_the_record_layout_is_the_declaration():
    assert set(STATE_DTYPE.names) == set(STATE_NAMES)
    assert len(STATE_NAMES) == len(set(STATE_NAMES))
    for f in STATE_FIELDS:
        assert STATE_DTYPE[f.name] == np.dtype(f.dtype)
    state = new_state(3)
    for f in STATE_FIELDS:
        assert (state[f.name] == f.initial).all(), f.name
    assert [row[0] for row in describe()] == list(STATE_NAMES)


def test_both_engines_hold_every_declared_field_and_outcome():
    for engine in ("agents", "vector"):
        model = CustomerLifecycleModel(strategy="none", seed=1, engine=engine, n_people=20, weeks=2)
        model.step()
        for f in (*STATE_FIELDS, *OUTCOME_FIELDS):
            values = model.people.field(f.name)
            assert values.shape == (20,) and values.dtype == np.dtype(f.dtype), (engine, f.name)
    agents = CustomerLifecycleModel(strategy="none", seed=1, engine="agents", n_people=5, weeks=1)
    person = agents.people.people[0]
    assert all(hasattr(person, name) for name in STATE_NAMES)
