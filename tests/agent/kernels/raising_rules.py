"""Rules that raise on some inputs, as a real rule can: the agent must count and log the error
and go on with the rest of the batch."""


def inverse_above_half(value: float) -> bool:
    """ZeroDivisionError at value == 0.0, as in Python."""
    return 1.0 / value > 0.5
