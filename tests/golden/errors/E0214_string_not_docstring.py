def f(x: float) -> float:
    """The docstring is fine."""
    label = "celsius"  # error[E0214] 13: strings are not supported in kernels
    "a string statement"  # error[E0214] 5: strings are not supported in kernels
    return x
