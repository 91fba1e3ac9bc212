def f(x: float) -> float:
    """The docstring is fine."""
    label = "celsius"  # error[E0214] 13: strings are not supported in kernels
    "a string statement is a comment, anywhere"
    f"{x} but an f-string statement is not"  # error[E0205] 5: an f-string is not supported in kernels
    return x
