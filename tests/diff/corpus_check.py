#!/usr/bin/env python3
# Checks the differential corpus itself, before any compiler exists: every file runs under
# CPython, every function is annotated as the dialect requires, the corpus uses every construct,
# builtin and math name of the dialect, and every semantic rule has a witness CPython confirms.
import ast
import glob
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from inputs import generate_inputs  # noqa: E402
from oracle import (CorpusTypeError, LIST_TYPES, SCALAR_TYPES, expected_outcome,  # noqa: E402
                    load_corpus_file)
from witnesses import WITNESSES  # noqa: E402

MINIMUM_FUNCTIONS = 100
REQUIRED_BUILTINS = ["len", "abs", "min", "max", "sum", "any", "all", "range", "enumerate", "zip",
                     "sorted", "float", "int", "bool", "round", "list", "pow"]
REQUIRED_MATH = ["sqrt", "exp", "log", "log2", "log10", "sin", "cos", "tan", "atan2", "fabs",
                 "floor", "ceil", "pow", "hypot", "isnan", "isinf", "isfinite", "pi", "e", "inf",
                 "nan"]
PARAM_TYPES = set(SCALAR_TYPES) | set(LIST_TYPES)
# Names a kernel may call that are not builtins or math: .append on a local list.
ALLOWED_METHODS = {"append", "copy"}


def _is_call_to(node, name):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _is_negative_index(node):
    return (isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice)
            and isinstance(node.slice, ast.UnaryOp) and isinstance(node.slice.op, ast.USub))


def _is_swap(node):
    if not (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple)
            and isinstance(node.value, ast.Tuple)):
        return False
    targets = [ast.unparse(t) for t in node.targets[0].elts]
    values = [ast.unparse(v) for v in node.value.elts]
    return sorted(targets) == sorted(values) and targets != values


def _for_over(kind):
    def check(node):
        if not isinstance(node, ast.For):
            return False
        if kind == "list":
            return isinstance(node.iter, ast.Name)
        return _is_call_to(node.iter, kind)
    return check


def _reduction_over_generator(name, with_filter):
    def check(node):
        return (_is_call_to(node, name) and len(node.args) == 1
                and isinstance(node.args[0], ast.GeneratorExp)
                and (not with_filter or any(g.ifs for g in node.args[0].generators)))
    return check


def _is_recursive(node):
    return isinstance(node, ast.FunctionDef) and any(
        _is_call_to(n, node.name) for n in ast.walk(node))


# construct -> predicate on one AST node (module-level ones see the Module too)
CONSTRUCTS = {
    "import math": lambda n: isinstance(n, ast.Import) and n.names[0].name == "math",
    "from math import ...": lambda n: isinstance(n, ast.ImportFrom) and n.module == "math",
    "module constant": lambda n: isinstance(n, ast.Module) and any(
        isinstance(s, ast.Assign) and isinstance(s.value, ast.Constant) for s in n.body),
    "assignment": lambda n: isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name),
    "tuple unpacking": lambda n: isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Tuple)
    and not isinstance(n.value, ast.Tuple),
    "swap a, b = b, a": _is_swap,
    "augmented assignment": lambda n: isinstance(n, ast.AugAssign),
    "subscript assignment": lambda n: isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Subscript),
    "if/elif/else": lambda n: isinstance(n, ast.If) and len(n.orelse) == 1
    and isinstance(n.orelse[0], ast.If) and n.orelse[0].orelse,
    "for over range": _for_over("range"),
    "for over a list": _for_over("list"),
    "for over enumerate": _for_over("enumerate"),
    "for over zip": _for_over("zip"),
    "while": lambda n: isinstance(n, ast.While),
    "assert with a message": lambda n: isinstance(n, ast.Assert) and n.msg is not None,
    "assert": lambda n: isinstance(n, ast.Assert) and n.msg is None,
    "raise E(message)": lambda n: isinstance(n, ast.Raise) and isinstance(n.exc, ast.Call),
    "raise E": lambda n: isinstance(n, ast.Raise) and isinstance(n.exc, ast.Name),
    "for with else": lambda n: isinstance(n, ast.For) and bool(n.orelse),
    "while with else": lambda n: isinstance(n, ast.While) and bool(n.orelse),
    "break": lambda n: isinstance(n, ast.Break),
    "continue": lambda n: isinstance(n, ast.Continue),
    "pass": lambda n: isinstance(n, ast.Pass),
    "return": lambda n: isinstance(n, ast.Return),
    "call between functions": lambda n: isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    and n.func.id.startswith("_"),
    "recursion": _is_recursive,
    "range with a step": lambda n: _is_call_to(n, "range") and len(n.args) == 3,
    "binary +": lambda n: isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add),
    "binary -": lambda n: isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub),
    "binary *": lambda n: isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult),
    "binary /": lambda n: isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div),
    "binary //": lambda n: isinstance(n, ast.BinOp) and isinstance(n.op, ast.FloorDiv),
    "binary %": lambda n: isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod),
    "binary **": lambda n: isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow),
    "binary &": lambda n: isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitAnd),
    "binary |": lambda n: isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitOr),
    "binary ^": lambda n: isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitXor),
    "binary <<": lambda n: isinstance(n, ast.BinOp) and isinstance(n.op, ast.LShift),
    "binary >>": lambda n: isinstance(n, ast.BinOp) and isinstance(n.op, ast.RShift),
    "unary ~": lambda n: isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Invert),
    "string statement in a body": lambda n: isinstance(n, ast.FunctionDef) and any(
        _is_string_statement(s) for s in ast.walk(n) if s is not n.body[0]),
    "unary minus": lambda n: isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub),
    "not": lambda n: isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not),
    "comparison <": lambda n: isinstance(n, ast.Compare) and isinstance(n.ops[0], ast.Lt),
    "comparison <=": lambda n: isinstance(n, ast.Compare) and isinstance(n.ops[0], ast.LtE),
    "comparison >": lambda n: isinstance(n, ast.Compare) and isinstance(n.ops[0], ast.Gt),
    "comparison >=": lambda n: isinstance(n, ast.Compare) and isinstance(n.ops[0], ast.GtE),
    "comparison ==": lambda n: isinstance(n, ast.Compare) and isinstance(n.ops[0], ast.Eq),
    "comparison !=": lambda n: isinstance(n, ast.Compare) and isinstance(n.ops[0], ast.NotEq),
    "chained comparison": lambda n: isinstance(n, ast.Compare) and len(n.ops) >= 2,
    "and": lambda n: isinstance(n, ast.BoolOp) and isinstance(n.op, ast.And),
    "or": lambda n: isinstance(n, ast.BoolOp) and isinstance(n.op, ast.Or),
    "conditional expression": lambda n: isinstance(n, ast.IfExp),
    "subscript": lambda n: isinstance(n, ast.Subscript) and not isinstance(n.slice, ast.Slice),
    "negative index": _is_negative_index,
    "slice xs[a:b]": lambda n: isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Slice)
    and n.slice.lower is not None and n.slice.upper is not None,
    "list literal": lambda n: isinstance(n, ast.List) and isinstance(n.ctx, ast.Load) and len(n.elts) > 1,
    "[v] * n": lambda n: isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult)
    and isinstance(n.left, ast.List),
    ".append on a local list": lambda n: isinstance(n, ast.Call)
    and isinstance(n.func, ast.Attribute) and n.func.attr == "append",
    "list comprehension with if": lambda n: isinstance(n, ast.ListComp)
    and any(g.ifs for g in n.generators),
    "generator expression with if": lambda n: isinstance(n, ast.GeneratorExp)
    and any(g.ifs for g in n.generators),
    "sum of a filtered generator": _reduction_over_generator("sum", True),
    "min of a generator": _reduction_over_generator("min", False),
    "max of a filtered generator": _reduction_over_generator("max", True),
    "any of a generator": _reduction_over_generator("any", False),
    "all of a filtered generator": _reduction_over_generator("all", True),
    "tuple result": lambda n: isinstance(n, ast.FunctionDef) and n.returns is not None
    and ast.unparse(n.returns).startswith("tuple["),
}


def check_annotations(corpus, problems):
    for signature in corpus.signatures:
        where = f"{corpus.path}:{signature.line}: {signature.name}"
        for name, type_text in signature.params:
            if type_text not in PARAM_TYPES:
                problems.append(f"{where}: parameter {name} annotated {type_text or 'nothing'}")
        returns = signature.returns
        if returns.startswith("tuple["):
            elements = [t.strip() for t in returns[len("tuple["):-1].split(",")]
            if not all(t in SCALAR_TYPES for t in elements):
                problems.append(f"{where}: tuple result of non-scalars {returns}")
        elif returns not in PARAM_TYPES:
            problems.append(f"{where}: return annotated {returns or 'nothing'}")


def _is_string_statement(node):
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str))


def check_dialect(tree, path, problems):
    """Catches the easy slips out of the dialect: string values, dicts, sets, lambdas, methods."""
    # Strings are allowed as statements (docstrings, comments) and as exception messages.
    statements = {id(node.value) for node in ast.walk(tree) if _is_string_statement(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and node.msg is not None:
            statements.add(id(node.msg))
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            statements.update(id(arg) for arg in node.exc.args)
    for node in ast.walk(tree):
        where = f"{path}:{getattr(node, 'lineno', 0)}"
        if (isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))
                and id(node) not in statements):
            problems.append(f"{where}: string constant outside a string statement is outside the dialect")
        if isinstance(node, (ast.Dict, ast.Set, ast.Lambda, ast.ClassDef, ast.Try, ast.With,
                             ast.Global, ast.Nonlocal, ast.DictComp, ast.SetComp, ast.JoinedStr)):
            problems.append(f"{where}: {type(node).__name__} is outside the dialect")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "math")
                and node.func.attr not in ALLOWED_METHODS):
            problems.append(f"{where}: method call .{node.func.attr} is outside the dialect")
        if isinstance(node, ast.Compare) and any(isinstance(o, (ast.In, ast.NotIn, ast.Is, ast.IsNot))
                                                 for o in node.ops):
            problems.append(f"{where}: in/is comparisons are outside the dialect")


def used_names(trees):
    builtins, math_names = set(), set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                builtins.add(node.func.id)
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "math"):
                math_names.add(node.attr)
            if isinstance(node, ast.ImportFrom) and node.module == "math":
                math_names.update(alias.name for alias in node.names)
    return builtins, math_names


def check_coverage(trees, problems):
    nodes = [n for tree in trees for n in ast.walk(tree)]
    for construct, present in CONSTRUCTS.items():
        if not any(present(n) for n in nodes):
            problems.append(f"corpus never uses: {construct}")
    builtins, math_names = used_names(trees)
    problems.extend(f"corpus never calls the builtin {b}" for b in REQUIRED_BUILTINS if b not in builtins)
    problems.extend(f"corpus never uses math.{m}" for m in REQUIRED_MATH if m not in math_names)
    annotations = {ast.unparse(a.annotation) for n in nodes if isinstance(n, ast.FunctionDef)
                   for a in n.args.args if a.annotation}
    problems.extend(f"no parameter is annotated {t}" for t in sorted(PARAM_TYPES - annotations))


def same_outcome(expected, want):
    kind, value = want
    if kind == "error":
        return not expected.has_value and expected.errors == frozenset({value})
    if not expected.has_value or expected.errors:
        return False
    if isinstance(value, float) and math.isnan(value):
        return isinstance(expected.value, float) and math.isnan(expected.value)
    if isinstance(value, float):
        return repr(expected.value) == repr(value)  # distinguishes -0.0
    return expected.value == value and type(expected.value) is type(value)


def check_witnesses(corpora, problems):
    by_stem = {os.path.basename(c.path).removesuffix(".py"): c for c in corpora}
    for rule, stem, name, args, want in WITNESSES:
        corpus = by_stem.get(stem)
        if corpus is None or not any(s.name == name for s in corpus.signatures):
            problems.append(f"witness for '{rule}': no function {stem}.{name}")
            continue
        expected = expected_outcome(corpus, corpus.signature(name), args)
        if not same_outcome(expected, want):
            problems.append(f"witness for '{rule}': {name}{tuple(args)} gives "
                            f"{expected.describe() or expected.skip_reason}, not {want}")


def check_return_types(corpora, problems):
    """Runs every function on its generated inputs: results must fit the annotations."""
    calls = 0
    for corpus in corpora:
        stem = os.path.basename(corpus.path).removesuffix(".py")
        for signature in corpus.signatures:
            if signature.is_helper:
                continue
            answered = 0
            for args in generate_inputs(stem, signature):
                calls += 1
                try:
                    expected = expected_outcome(corpus, signature, args)
                except CorpusTypeError as error:
                    problems.append(f"{stem}.{signature.name}{tuple(args)}: {error}")
                    break
                answered += expected.has_value
            if answered == 0:
                problems.append(f"{stem}.{signature.name}: no generated input gives a value")
    return calls


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    paths = sorted(glob.glob(os.path.join(here, "corpus", "*.py")))
    problems = []
    corpora = []
    for path in paths:
        try:
            corpora.append(load_corpus_file(path))
        except Exception as error:  # any failure to run under CPython is the finding
            problems.append(f"{path} does not run under CPython: {type(error).__name__}: {error}")
    trees = [ast.parse(c.source) for c in corpora]
    for corpus, tree in zip(corpora, trees):
        check_annotations(corpus, problems)
        check_dialect(tree, corpus.path, problems)
    check_coverage(trees, problems)
    check_witnesses(corpora, problems)
    calls = check_return_types(corpora, problems)
    functions = sum(1 for c in corpora for s in c.signatures if not s.is_helper)
    if functions < MINIMUM_FUNCTIONS:
        problems.append(f"only {functions} tested functions, want at least {MINIMUM_FUNCTIONS}")
    for problem in problems:
        print(f"FAIL: {problem}")
    print(f"corpus: {len(corpora)} files, {functions} functions, {len(CONSTRUCTS)} constructs, "
          f"{len(WITNESSES)} rule witnesses, {calls} CPython calls")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
