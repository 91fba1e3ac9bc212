def f(x: float) -> float:
    return x


if __name__ == "__main__":  # warning[W0201] 1: `if __name__ == "__main__":` block is not compiled
    print(f(2.0))
