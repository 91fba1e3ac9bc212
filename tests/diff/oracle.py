# CPython as the oracle: loads a corpus file, reads its signatures, and computes what a kernel
# must answer for given arguments -- a value (converted to the annotated type) or the set of
# exception names that are acceptable, following the dialect's 64-bit and divergence rules.
import ast
import copy
import importlib.util
import signal
import sys
from dataclasses import dataclass, field

# The dialect is defined as CPython 3.11's behaviour (3.12 sums floats with compensation).
if sys.version_info[:2] != (3, 11):
    raise SystemExit(f"the differential oracle must be CPython 3.11, not {sys.version.split()[0]}")

# The exceptions a compiled kernel can raise (kernel_abi.h); anything else CPython raises means
# the input is outside the dialect's domain, and the input is skipped.
KERNEL_ERRORS = frozenset({"ZeroDivisionError", "IndexError", "ValueError", "OverflowError",
                           "MemoryError", "RecursionError", "AssertionError"})

INT64_MIN = -(2 ** 63)
INT64_MAX = 2 ** 63 - 1
SCALAR_TYPES = ("float", "int", "bool")
LIST_TYPES = ("list[float]", "list[int]", "list[bool]")

# A hang guard for one CPython call: corpus functions bound their loops, so this only fires on
# a corpus mistake, and then the input is skipped rather than the whole run blocked.
CALL_TIMEOUT_SECONDS = 2.0


@dataclass
class Signature:
    name: str
    params: list  # [(name, type string)]
    returns: str  # "float", "list[int]", "tuple[float, int]", ...
    line: int

    @property
    def is_helper(self):
        # Helpers (leading underscore) are compiled but only called through other functions.
        return self.name.startswith("_")


@dataclass
class Expected:
    """What a kernel may answer: the value (when has_value) and/or one of the error names."""
    has_value: bool = False
    value: object = None
    errors: frozenset = frozenset()
    skip_reason: str = ""  # non-empty: the input is outside the dialect's domain
    note: str = ""

    def describe(self):
        parts = []
        if self.has_value:
            parts.append(repr(self.value))
        parts.extend(sorted(self.errors))
        return " or ".join(parts) + (f" ({self.note})" if self.note else "")


def annotation_text(node):
    return ast.unparse(node).replace("'", "")


def tuple_element_types(type_text):
    assert type_text.startswith("tuple[") and type_text.endswith("]"), type_text
    return [t.strip() for t in type_text[len("tuple["):-1].split(",")]


def list_element_type(type_text):
    assert type_text in LIST_TYPES, type_text
    return type_text[len("list["):-1]


def read_signatures(source, path="<corpus>"):
    tree = ast.parse(source, filename=path)
    signatures = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            params = [(a.arg, annotation_text(a.annotation) if a.annotation else "")
                      for a in node.args.args]
            returns = annotation_text(node.returns) if node.returns else ""
            signatures.append(Signature(node.name, params, returns, node.lineno))
    return signatures


# ---------------------------------------------------------------------------------------------
# The checked copy: every int-valued operation is checked to fit in 64 bits, int ** negative
# int raises ValueError -- the dialect's rules, applied to CPython itself.

class _OverflowFromCheck(OverflowError):
    """An int result past 64 bits in the checked copy (CPython itself would have gone on)."""


class _AlternativeErrors(Exception):
    """Where the dialect accepts more than one exception (0 ** -1: ValueError or ZeroDivision)."""

    def __init__(self, names):
        super().__init__(", ".join(sorted(names)))
        self.names = frozenset(names)


def _is_int(value):
    return type(value) is int


def _check_int64(value):
    if _is_int(value) and not INT64_MIN <= value <= INT64_MAX:
        raise _OverflowFromCheck("int result does not fit in 64 bits")
    return value


def _checked_pow(base, exponent):
    if isinstance(base, int) and isinstance(exponent, int):
        if exponent < 0:
            # Documented divergence: CPython returns a float, the kernel raises ValueError.
            if base == 0:
                raise _AlternativeErrors({"ValueError", "ZeroDivisionError"})
            raise ValueError("int ** negative int")
        if abs(base) >= 2 and exponent >= 64:
            raise _OverflowFromCheck("int power does not fit in 64 bits")
    return _check_int64(base ** exponent)


def _checked_sum(iterable, start=0):
    items = list(iterable)
    if not all(isinstance(item, int) for item in items) or not isinstance(start, int):
        return sum(items, start)
    total = start
    for item in items:
        total = _check_int64(total + item)
    return total


class _Int64Checker(ast.NodeTransformer):
    @staticmethod
    def _call(helper, args, like):
        return ast.copy_location(ast.Call(ast.Name(helper, ast.Load()), args, []), like)

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Pow):
            return self._call("__pyvc_pow", [node.left, node.right], node)
        return self._call("__pyvc_check", [node], node)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        return self._call("__pyvc_check", [node], node) if isinstance(node.op, ast.USub) else node

    def visit_Call(self, node):
        self.generic_visit(node)
        return self._call("__pyvc_check", [node], node)

    def visit_AugAssign(self, node):
        # x op= v becomes x = x op v, so the result goes through visit_BinOp's check. Targets
        # are names or subscripts of pure expressions, so evaluating the target twice is safe.
        load_target = copy.deepcopy(node.target)
        load_target.ctx = ast.Load()
        combined = ast.copy_location(ast.BinOp(load_target, node.op, node.value), node)
        assign = ast.copy_location(ast.Assign([node.target], combined), node)
        return self.visit_Assign(assign)

    def visit_Assign(self, node):
        self.generic_visit(node)
        return node


def _load_namespace(path, source, module_name, checked):
    tree = ast.parse(source, filename=path)
    if checked:
        tree = ast.fix_missing_locations(_Int64Checker().visit(tree))
    namespace = {"__name__": module_name, "__file__": path}
    if checked:
        namespace.update({"__pyvc_check": _check_int64, "__pyvc_pow": _checked_pow,
                          "sum": _checked_sum})
    exec(compile(tree, path, "exec"), namespace)
    return namespace


@dataclass
class CorpusFile:
    path: str
    source: str
    signatures: list
    plain: dict = field(repr=False)  # the file exactly as CPython runs it
    checked: dict = field(repr=False)  # the same with the dialect's 64-bit rules

    def signature(self, name):
        return next(s for s in self.signatures if s.name == name)


def load_corpus_file(path):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    stem = path.rsplit("/", 1)[-1].removesuffix(".py")
    # Imported the ordinary way too, so a file that only works through exec() is caught.
    spec = importlib.util.spec_from_file_location(f"pyvc_corpus_{stem}", path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    return CorpusFile(path, source, read_signatures(source, path),
                      _load_namespace(path, source, f"pyvc_plain_{stem}", checked=False),
                      _load_namespace(path, source, f"pyvc_checked_{stem}", checked=True))


# ---------------------------------------------------------------------------------------------
# Running one call.

class _CallTimeout(BaseException):
    pass


def _on_alarm(signum, frame):
    raise _CallTimeout()


def _call_with_guard(function, args):
    """('ok', value) | ('error', name, exception) | ('timeout',)"""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, CALL_TIMEOUT_SECONDS)
    try:
        # Fresh lists per call: arguments are flat, so a shallow copy of each list suffices.
        return ("ok", function(*[list(a) if isinstance(a, list) else a for a in args]))
    except _CallTimeout:
        return ("timeout",)
    except _AlternativeErrors as error:
        return ("error", "alternatives", error)
    except _OverflowFromCheck as error:
        return ("error", "OverflowError", error)
    except Exception as error:  # the oracle records whatever CPython raises
        return ("error", type(error).__name__, error)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class CorpusTypeError(Exception):
    """A corpus function returned something its annotation does not allow."""


def conform(value, type_text):
    """CPython's value in the annotated type: ints become floats where a float is annotated."""
    if type_text == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CorpusTypeError(f"{value!r} is not a float")
        return float(value)
    if type_text == "int":
        if not isinstance(value, int):
            raise CorpusTypeError(f"{value!r} is not an int")
        return int(value)
    if type_text == "bool":
        if not isinstance(value, bool):
            raise CorpusTypeError(f"{value!r} is not a bool")
        return value
    if type_text in LIST_TYPES:
        if not isinstance(value, list):
            raise CorpusTypeError(f"{value!r} is not a list")
        element = list_element_type(type_text)
        return [conform(v, element) for v in value]
    if type_text.startswith("tuple["):
        elements = tuple_element_types(type_text)
        if not isinstance(value, (tuple, list)) or len(value) != len(elements):
            raise CorpusTypeError(f"{value!r} is not a {type_text}")
        return tuple(conform(v, t) for v, t in zip(value, elements))
    raise CorpusTypeError(f"unknown annotation {type_text}")


def _contains_out_of_range_int(value):
    if _is_int(value):
        return not INT64_MIN <= value <= INT64_MAX
    if isinstance(value, (list, tuple)):
        return any(_contains_out_of_range_int(v) for v in value)
    return False


def expected_outcome(corpus, signature, args, order_may_vary=False):
    """What the kernel must answer. order_may_vary: the function reduces (sum, acc += x), so a
    compiler may reassociate an int sum and an intermediate overflow may legitimately vanish."""
    checked = _call_with_guard(corpus.checked[signature.name], args)
    if checked[0] == "timeout":
        return Expected(skip_reason="CPython did not finish in time")
    if checked[0] == "ok":
        if isinstance(checked[1], complex):
            return Expected(skip_reason="CPython gives a complex number")
        if _contains_out_of_range_int(checked[1]):
            return Expected(errors=frozenset({"OverflowError"}), note="int past 64 bits")
        return Expected(has_value=True, value=conform(checked[1], signature.returns))
    _, name, error = checked
    if name == "alternatives":
        return Expected(errors=error.names, note="documented divergence")
    if name not in KERNEL_ERRORS:
        return Expected(skip_reason=f"CPython raises {name}: {error}")
    expected = Expected(errors=frozenset({name}))
    if isinstance(error, _OverflowFromCheck):
        expected.note = "int past 64 bits"
    if isinstance(error, _OverflowFromCheck) and order_may_vary:
        # Whether an intermediate int overflows can depend on evaluation order (an int sum
        # reassociated in lanes): accept CPython's unbounded answer too when it fits.
        plain = _call_with_guard(corpus.plain[signature.name], args)
        if plain[0] == "ok" and not _contains_out_of_range_int(plain[1]):
            try:
                expected.value = conform(plain[1], signature.returns)
                expected.has_value = True
                expected.note = "an intermediate int passes 64 bits"
            except CorpusTypeError:
                pass
    elif isinstance(error, ValueError) and name == "ValueError":
        expected.note = str(error)[:60]
    return expected


# ---------------------------------------------------------------------------------------------
# Which functions reduce floats: their default-mode results follow the fixed lane order, so
# they are compared with a tolerance. Callees count: a function reduces if anything it calls does.

def _reduces_directly(function_node):
    loops = [n for n in ast.walk(function_node) if isinstance(n, (ast.For, ast.While))]
    in_loop = set()
    for loop in loops:
        for inner in ast.walk(loop):
            in_loop.add(id(inner))
    for node in ast.walk(function_node):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sum":
            return True
        if id(node) not in in_loop:
            continue
        if isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub)):
            return True
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.BinOp)
                and isinstance(node.value.op, (ast.Add, ast.Sub))):
            # acc = acc + x (or x + acc): the same reduction as acc += x.
            operands = [node.value.left, node.value.right]
            if any(isinstance(o, ast.Name) and o.id == node.targets[0].id for o in operands):
                return True
    return False


def reducing_functions(source):
    tree = ast.parse(source)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    calls = {name: {c.func.id for c in ast.walk(node)
                    if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
                    and c.func.id in functions}
             for name, node in functions.items()}
    reducing = {name for name, node in functions.items() if _reduces_directly(node)}
    changed = True
    while changed:
        changed = False
        for name, callees in calls.items():
            if name not in reducing and callees & reducing:
                reducing.add(name)
                changed = True
    return reducing
