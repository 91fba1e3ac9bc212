def f(x: float) -> float:
        y = x
	return y  # error[E0106] 1: inconsistent use of tabs and spaces in indentation
