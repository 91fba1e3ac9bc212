# Every semantic rule of the dialect with the corpus calls that exercise it and what CPython
# (under the dialect's rules) answers. corpus_check.py proves each answer under CPython;
# run_diff.py adds these calls to the generated inputs, so every rule is tried on every target.
import math

INT64_MAX = 2 ** 63 - 1
INT64_MIN = -(2 ** 63)
NAN = math.nan
INF = math.inf


def ok(value):
    return ("ok", value)


def raises(name):
    return ("error", name)


# (rule, corpus file stem, function, arguments, expected)
WITNESSES = [
    ("/ always gives a float", "arith_ops", "int_truediv", [7, 2], ok(3.5)),
    ("/ always gives a float", "arith_ops", "int_truediv", [4, 2], ok(2.0)),
    ("// floors for ints", "arith_ops", "int_floordiv", [-7, 2], ok(-4)),
    ("// floors for ints", "arith_ops", "int_floordiv", [7, -2], ok(-4)),
    ("% floors for ints", "arith_ops", "int_mod", [-7, 2], ok(1)),
    ("% floors for ints", "arith_ops", "int_mod", [7, -2], ok(-1)),
    ("// floors for floats", "arith_ops", "float_floordiv", [-7.0, 2.0], ok(-4.0)),
    ("% floors for floats", "arith_ops", "float_mod", [-7.0, 2.0], ok(1.0)),
    ("% floors for floats", "arith_ops", "float_mod", [7.0, -2.0], ok(-1.0)),
    ("% floors for floats", "arith_ops", "float_mod", [-1.0, INF], ok(INF)),
    ("ZeroDivisionError for int //", "arith_ops", "int_floordiv", [1, 0], raises("ZeroDivisionError")),
    ("ZeroDivisionError for int %", "arith_ops", "int_mod", [1, 0], raises("ZeroDivisionError")),
    ("ZeroDivisionError for int /", "arith_ops", "int_truediv", [1, 0], raises("ZeroDivisionError")),
    ("ZeroDivisionError for float /", "arith_ops", "float_div", [1.0, 0.0], raises("ZeroDivisionError")),
    ("ZeroDivisionError for float /", "arith_ops", "float_div", [0.0, -0.0], raises("ZeroDivisionError")),
    ("ZeroDivisionError for float //", "arith_ops", "float_floordiv", [1.0, 0.0], raises("ZeroDivisionError")),
    ("ZeroDivisionError for float %", "arith_ops", "float_mod", [NAN, 0.0], raises("ZeroDivisionError")),
    ("OverflowError for int +", "arith_ops", "int_add", [INT64_MAX, 1], raises("OverflowError")),
    ("OverflowError for int -", "arith_ops", "int_sub", [INT64_MIN, 1], raises("OverflowError")),
    ("OverflowError for int *", "arith_ops", "int_mul", [2 ** 62, 2], raises("OverflowError")),
    ("OverflowError for int *", "arith_ops", "int_mul", [INT64_MIN, -1], raises("OverflowError")),
    ("OverflowError for unary minus", "arith_ops", "int_neg", [INT64_MIN], raises("OverflowError")),
    ("OverflowError for int //", "arith_ops", "int_floordiv", [INT64_MIN, -1], raises("OverflowError")),
    ("int % of the most negative int", "arith_ops", "int_mod", [INT64_MIN, -1], ok(0)),
    ("OverflowError for int **", "arith_ops", "int_pow_small", [3, 40], raises("OverflowError")),
    ("int ** fits", "arith_ops", "int_pow_small", [-2, 63], ok(INT64_MIN)),
    ("OverflowError for abs()", "builtin_calls", "abs_int", [INT64_MIN], raises("OverflowError")),
    ("OverflowError for an int sum", "reductions", "sum_ints", [[INT64_MAX, 1]], raises("OverflowError")),
    ("OverflowError through recursion", "calls_tuples", "factorial", [21], raises("OverflowError")),
    ("int ** negative int raises ValueError", "arith_ops", "int_pow_signed", [2, 0], raises("ValueError")),
    ("float pow overflow raises OverflowError", "arith_ops", "float_pow", [10.0, 400.0], raises("OverflowError")),
    ("float pow overflow raises OverflowError", "math_funcs", "m_pow", [10.0, 400.0], raises("OverflowError")),
    ("math range error raises OverflowError", "math_funcs", "m_exp", [1000.0], raises("OverflowError")),
    ("NaN compares false", "compare_logic", "float_lt", [NAN, 1.0], ok(False)),
    ("NaN compares false", "compare_logic", "float_ge", [NAN, NAN], ok(False)),
    ("NaN is unequal to itself", "compare_logic", "float_ne", [NAN, NAN], ok(True)),
    ("NaN is unequal to itself", "compare_logic", "is_nan_by_compare", [NAN], ok(True)),
    ("-0.0 equals 0.0", "compare_logic", "float_eq", [-0.0, 0.0], ok(True)),
    ("int and float compare exactly", "compare_logic", "int_float_eq", [2 ** 53 + 1, 2.0 ** 53], ok(False)),
    ("int and float compare exactly", "compare_logic", "int_float_lt", [INT64_MAX, 2.0 ** 63], ok(True)),
    ("chained comparison", "compare_logic", "in_band", [2.5], ok(False)),
    ("chained comparison", "compare_logic", "in_band", [-1.5], ok(True)),
    ("and short-circuits", "compare_logic", "short_circuit_and", [5, 0], ok(False)),
    ("or short-circuits", "compare_logic", "short_circuit_or", [5, 0], ok(True)),
    ("-0.0 survives negation", "arith_ops", "float_neg", [0.0], ok(-0.0)),
    ("IndexError past the end", "lists_indexing", "at_index", [[1, 2, 3], 3], raises("IndexError")),
    ("IndexError before the start", "lists_indexing", "at_index", [[1, 2, 3], -4], raises("IndexError")),
    ("IndexError for the most negative index", "lists_indexing", "at_index", [[1, 2, 3], INT64_MIN], raises("IndexError")),
    ("negative indices count from the end", "lists_indexing", "at_index", [[1, 2, 3], -1], ok(3)),
    ("IndexError on an empty list", "lists_indexing", "first", [[]], raises("IndexError")),
    ("slices clamp their bounds", "lists_indexing", "slice_copy", [[1.0, 2.0, 3.0], -10, 10], ok([1.0, 2.0, 3.0])),
    ("ValueError for min([])", "reductions", "min_list", [[]], raises("ValueError")),
    ("ValueError for max() of an empty generator", "reductions", "max_gen_filtered", [[1, 3]], raises("ValueError")),
    ("ValueError for a math domain error", "math_funcs", "m_log", [0.0], raises("ValueError")),
    ("ValueError for a math domain error", "math_funcs", "m_sqrt", [-1.0], raises("ValueError")),
    ("ValueError for int(NaN)", "builtin_calls", "int_of_float", [NAN], raises("ValueError")),
    ("OverflowError for int(inf)", "builtin_calls", "int_of_float", [INF], raises("OverflowError")),
    ("OverflowError for int() past 64 bits", "builtin_calls", "int_of_float", [1e19], raises("OverflowError")),
    ("round() rounds half to even", "builtin_calls", "round_float", [2.5], ok(2)),
    ("round() rounds half to even", "builtin_calls", "round_float", [3.5], ok(4)),
    ("round() rounds half to even", "builtin_calls", "round_float", [-0.5], ok(0)),
    ("ValueError for round(NaN)", "builtin_calls", "round_float", [NAN], raises("ValueError")),
    ("OverflowError for math.floor(inf)", "math_funcs", "m_floor", [INF], raises("OverflowError")),
    ("sorted() with NaN follows CPython's comparisons", "builtin_calls", "sorted_floats", [[1.0, NAN]], ok([1.0, NAN])),
    ("sorted() with NaN follows CPython's comparisons", "builtin_calls", "sorted_floats", [[2.0, NAN, 1.0]], ok([2.0, NAN, 1.0])),
    ("sorted() with NaN follows CPython's comparisons", "builtin_calls", "sorted_floats", [[3.0, 2.0, NAN, 1.0]], ok([1.0, 2.0, 3.0, NAN])),
    ("-> float returns a float where CPython returns an int", "reductions", "sum_floats", [[]], ok(0.0)),
    ("max() with NaN follows argument order", "builtin_calls", "max_three_float", [NAN, 1.0, 2.0], ok(NAN)),
    ("max() with NaN follows argument order", "builtin_calls", "max_three_float", [1.0, NAN, 2.0], ok(2.0)),
    ("recursion", "calls_tuples", "fib", [20], ok(6765)),
    ("% takes the sign of the divisor, zeros too", "arith_ops", "float_mod", [5.0, -5.0], ok(-0.0)),
    ("% takes the sign of the divisor, zeros too", "arith_ops", "float_mod", [-5.0, 5.0], ok(0.0)),
    ("// keeps a negative zero", "arith_ops", "float_floordiv", [-0.0, 5.0], ok(-0.0)),
    ("round() is exact below one half", "builtin_calls", "round_float", [0.49999999999999994], ok(0)),
    ("round() is exact above one half", "builtin_calls", "round_float", [2.5000000000000004], ok(3)),
    ("int() of -2^63 fits", "dialect_edges", "float_to_int_bounds", [-9.223372036854776e18], ok(-(2 ** 62))),
    ("int() of 2^63 overflows", "dialect_edges", "float_to_int_bounds", [9.223372036854776e18], raises("OverflowError")),
    ("min keeps the first of equal values", "dialect_edges", "min_max_signed_zero", [0.0, -0.0], ok((0.0, 0.0))),
    ("min keeps the first of equal values", "dialect_edges", "min_max_signed_zero", [-0.0, 0.0], ok((-0.0, -0.0))),
    ("errors surface left to right", "dialect_edges", "error_order_left", [[], 0, 0], raises("ZeroDivisionError")),
    ("errors surface left to right", "dialect_edges", "error_order_right", [[], 0, 0], raises("IndexError")),
    ("the loop variable keeps its last value", "dialect_edges", "loop_var_after_loop", [5], ok(4)),
    ("the loop variable keeps its last value", "dialect_edges", "loop_var_after_loop", [0], ok(-1)),
    ("assigning the loop variable does not change the iteration", "dialect_edges", "loop_var_reassigned", [4], ok(60)),
    ("range() stops at INT64_MAX without wrapping", "dialect_edges", "range_near_max", [19], ok(7806)),
    ("or returns an operand", "dialect_edges", "int_or_default", [0, 7], ok(7)),
    ("or returns an operand", "dialect_edges", "int_or_default", [-3, 7], ok(-3)),
    ("and returns an operand", "dialect_edges", "float_and_value", [0.5, 2.0], ok(2.0)),
    ("and returns an operand", "dialect_edges", "float_and_value", [-0.0, 2.0], ok(-0.0)),
    ("NaN is truthy", "dialect_edges", "truthy_float", [math.nan], ok(1)),
]


def witnesses_for(file_stem, function):
    return [args for _, stem, name, args, _ in WITNESSES if stem == file_stem and name == function]
