def f(x: float) -> float:
    if x > 0:
        return x
  return -x  # error[E0107] 1: unindent does not match any outer indentation level
