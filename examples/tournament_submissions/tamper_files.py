"""Tries to change the other entries and to plant a results file, then plays mass marketing's split
(acquisition offers and generic offers) honestly, so it is ranked like anyone else."""

import glob
import os

from simulation import Action, Stage

HERE = os.path.dirname(os.path.abspath(__file__))
for other in glob.glob(os.path.join(HERE, "*.py")):
    if os.path.abspath(other) != os.path.abspath(__file__):
        try:
            with open(other, "a") as handle:  # append: the worker may not write to files
                handle.write("\ndef strategy(view, plan):\n    raise RuntimeError('sabotaged')\n")
        except OSError:
            pass
for target in ("leaderboard.csv", os.path.join(HERE, "leaderboard.csv")):
    try:
        with open(target, "a") as handle:
            handle.write("rank,entry\n1,tamper_files\n")
    except OSError:
        pass


def strategy(view, plan):
    prospects = view.shuffled(view.in_stage(Stage.PROSPECT))
    plan.add(prospects, Action.ACQUISITION_OFFER, max_spend=0.4 * plan.budget)
    known = view.in_stage(Stage.IDENTIFICATION, Stage.DEVELOPMENT, Stage.STABLE, Stage.DECLINE)
    plan.add(view.shuffled(known), Action.GENERIC_OFFER)
