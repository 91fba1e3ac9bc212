def f(x: float) -> float:
    """Docstring."""
    return x

LABEL = "unterminated  # error[E0104] 9: unterminated string literal
