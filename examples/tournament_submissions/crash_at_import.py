"""Crashes when it is imported: it needs a module that is not installed."""

import numpy as np
from secret_sauce import magic_ranking  # no such module: ModuleNotFoundError at import

from simulation import Action, Stage


def strategy(view, plan):
    plan.add(magic_ranking(view, np), Action.PERSONAL_OFFER)
    plan.add(view.in_stage(Stage.PROSPECT), Action.ACQUISITION_OFFER)
