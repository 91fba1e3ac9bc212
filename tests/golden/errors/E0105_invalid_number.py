def f(x: int) -> int:
    return x + 0x + 12abc + 1__0 + 007  # error[E0105] 16: invalid number literal `0x`  # error[E0105] 21: invalid number literal `12abc`  # error[E0105] 29: invalid number literal `1__0`  # error[E0105] 36: invalid number literal `007`
