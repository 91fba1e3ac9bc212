import numpy as np  # error[E0211] 8: module `numpy` is not available in kernels
from os import path  # error[E0211] 1: module `os` is not available in kernels
from typing import Dict  # error[E0211] 20: module `typing.Dict` is not available in kernels

def f(x: float) -> float:
    return x
