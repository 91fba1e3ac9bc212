"""A rule with a bug a real rule can have: above 100.0 it never returns (x + 1.0 stops changing
x at 2**53, and CPython loops forever too). The agent's watchdog must notice the stuck worker."""


def never_returns_above_hundred(value: float) -> bool:
    x = value
    while x > 100.0:
        x = x + 1.0
    return x > 35.0
