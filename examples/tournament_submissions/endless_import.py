"""Never finishes being imported (it precomputes forever at the top level)."""

table = []
while True:
    table.append(len(table))
    table.clear()


def strategy(view, plan):
    pass
