// Small kernels built by hand, shared by the IR tests. Each comment shows the Python it encodes.
#pragma once

#include "IRBuilderForTests.h"

namespace pyvc::ir::testing {

// def mean(xs: list[float]) -> float:
//     return sum(x for x in xs) / float(len(xs))
inline uint32_t addMean(Module &module) {
  FunctionBuilder b(module, "mean", Type::floating());
  LocalId xs = b.param("xs", Type::list(TypeKind::Float));
  LocalId x = b.local("x", Type::floating());
  b.line = 3;
  Expr *total = b.sum(FunctionBuilder::listSpace(x, b.ref(xs)), b.ref(x));
  b.fn().body = {b.ret(b.binary(BinaryOp::TrueDiv, total, b.toFloat(b.length(b.ref(xs)))))};
  return b.index();
}

// def sum_sq_gt(xs: list[float], t: float) -> float:
//     acc = 0.0
//     for x in xs:
//         if x > t:
//             acc = acc + x * x
//     return acc
inline uint32_t addSumSquaresAbove(Module &module) {
  FunctionBuilder b(module, "sum_sq_gt", Type::floating());
  LocalId xs = b.param("xs", Type::list(TypeKind::Float));
  LocalId t = b.param("t", Type::floating());
  LocalId acc = b.local("acc", Type::floating());
  LocalId x = b.local("x", Type::floating());
  b.line = 2;
  Stmt *init = b.assign(acc, b.f64(0.0));
  b.line = 3;
  Stmt *accumulate = b.assign(acc, b.binary(BinaryOp::Add, b.ref(acc),
                                            b.binary(BinaryOp::Mul, b.ref(x), b.ref(x))));
  Stmt *filter = b.ifThen(b.compare(CompareOp::Gt, b.ref(x), b.ref(t)), {accumulate});
  Stmt *loop = b.forLoop(FunctionBuilder::listSpace(x, b.ref(xs)), {filter});
  b.line = 6;
  b.fn().body = {init, loop, b.ret(b.ref(acc))};
  return b.index();
}

// def rises(xs: list[float]) -> int:
//     count = 0
//     for i in range(1, len(xs), 1):
//         if xs[i - 1] < xs[i]:
//             count = count + 1
//     return count
inline uint32_t addRises(Module &module) {
  FunctionBuilder b(module, "rises", Type::integer());
  LocalId xs = b.param("xs", Type::list(TypeKind::Float));
  LocalId count = b.local("count", Type::integer());
  LocalId i = b.local("i", Type::integer());
  b.line = 2;
  Stmt *init = b.assign(count, b.i64(0));
  b.line = 4;
  Expr *previous = b.index(b.ref(xs), b.binary(BinaryOp::Sub, b.ref(i), b.i64(1)));
  Expr *current = b.index(b.ref(xs), b.ref(i));
  Stmt *increment = b.assign(count, b.binary(BinaryOp::Add, b.ref(count), b.i64(1)));
  Stmt *body = b.ifThen(b.compare(CompareOp::Lt, previous, current), {increment});
  b.line = 3;
  Stmt *loop = b.forLoop(
      FunctionBuilder::rangeSpace(i, b.i64(1), b.length(b.ref(xs)), b.i64(1)), {body});
  b.line = 6;
  b.fn().body = {init, loop, b.ret(b.ref(count))};
  return b.index();
}

// def fact(n: int) -> int:
//     if n <= 1:
//         return 1
//     return n * fact(n - 1)
inline uint32_t addFactorial(Module &module) {
  FunctionBuilder b(module, "fact", Type::integer());
  LocalId n = b.param("n", Type::integer());
  uint32_t self = b.index();
  Stmt *base = b.ifThen(b.compare(CompareOp::Le, b.ref(n), b.i64(1)), {b.ret(b.i64(1))});
  b.line = 4;
  Expr *recurse = b.call(self, Type::integer(), {b.binary(BinaryOp::Sub, b.ref(n), b.i64(1))});
  b.fn().body = {base, b.ret(b.binary(BinaryOp::Mul, b.ref(n), recurse))};
  return b.index();
}

// def scaled_fact(n: int, k: float) -> float:   # calls fact: inherits its errors
//     return float(fact(n)) / k
inline uint32_t addScaledFactorial(Module &module, uint32_t factIndex) {
  FunctionBuilder b(module, "scaled_fact", Type::floating());
  LocalId n = b.param("n", Type::integer());
  LocalId k = b.param("k", Type::floating());
  Expr *call = b.call(factIndex, Type::integer(), {b.ref(n)});
  b.fn().body = {b.ret(b.binary(BinaryOp::TrueDiv, b.toFloat(call), b.ref(k)))};
  return b.index();
}

} // namespace pyvc::ir::testing
