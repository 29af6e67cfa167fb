"""What an exercise question says of an answer given as code: the question's setup runs first, then the
answer, in one fresh namespace, as in a student's notebook. Shared by the exercise tests."""

from exercises.core import Outcome


def answered(question, code: str) -> Outcome:
    namespace = {}
    exec(question.setup_code, namespace)
    exec(code, namespace)
    return question.outcome(namespace)
