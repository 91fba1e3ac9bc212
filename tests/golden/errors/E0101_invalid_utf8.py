def f(x: float) -> float:
    return x  # café  # error[E0101] 20: source file is not valid UTF-8
