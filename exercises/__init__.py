"""Exercise questions with instant feedback for the CRM Lab course (one module per chapter).

In an exercise notebook::

    from exercises.ch4 import *     # the questions q1, q2, ..., the blank ____ and the data
    q1.check(); q1.hint(); q1.solution()
"""

from exercises.core import (
    Blank,
    ChoiceQuestion,
    FrameQuestion,
    FunctionQuestion,
    NumberQuestion,
    Question,
    ____,
)

__all__ = [
    "____",
    "Blank",
    "ChoiceQuestion",
    "FrameQuestion",
    "FunctionQuestion",
    "NumberQuestion",
    "Question",
]
