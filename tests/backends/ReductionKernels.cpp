// Reduction kernels for the tests, and the plain C++ model of the FixedLanes order.
#include "ReductionKernels.h"

namespace pyvc::backends::test {

using ir::BinaryOp;
using ir::CompareOp;
using ir::Type;
using ir::TypeKind;

static ir::ComprehensionExpr *floatSum(KernelBuilder &k, ir::IterationSpace space, ir::Expr *element,
                                       std::initializer_list<ir::Expr *> conditions, ir::ReductionOrder order) {
  ir::ComprehensionExpr *sum =
      k.comprehension(ir::ComprehensionKind::Sum, Type::floating(), std::move(space), element, conditions);
  sum->start = k.f64(0.0);
  sum->order = order;
  return sum;
}

void buildReductionKernels(ir::Module &module) {
  KernelBuilder k(module);
  const Type floatList = Type::list(TypeKind::Float);
  for (auto [name, order] : {std::pair{"fsum_lanes", ir::ReductionOrder::FixedLanes},
                             std::pair{"fsum_sequential", ir::ReductionOrder::Sequential}}) {
    k.function(name, Type::floating());
    ir::LocalId xs = k.param("xs", floatList), x = k.local("x", Type::floating());
    k.ret(floatSum(k, k.over({k.ref(xs)}, {x}), k.ref(x), {}, order));
  }
  {
    k.function("sum_gt", Type::floating());
    ir::LocalId xs = k.param("xs", floatList), t = k.param("t", Type::floating()), x = k.local("x", Type::floating());
    k.ret(floatSum(k, k.over({k.ref(xs)}, {x}), k.ref(x), {k.compare(CompareOp::Gt, k.ref(x), k.ref(t))},
                   ir::ReductionOrder::FixedLanes));
  }
  {
    k.function("sum_products", Type::floating());
    ir::LocalId xs = k.param("xs", floatList), ys = k.param("ys", floatList);
    ir::LocalId x = k.local("x", Type::floating()), y = k.local("y", Type::floating());
    ir::ComprehensionExpr *sum = floatSum(k, k.over({k.ref(xs)}, {x}), k.binary(BinaryOp::Mul, k.ref(x), k.ref(y)),
                                          {}, ir::ReductionOrder::FixedLanes);
    ir::Generator inner;
    inner.space = k.over({k.ref(ys)}, {y});
    sum->generators.push_back(std::move(inner));
    k.ret(sum);
  }
  {
    k.function("scaled", Type::floating());
    ir::LocalId x = k.param("x", Type::floating()), a = k.param("a", Type::floating());
    k.ret(k.binary(BinaryOp::Add, k.binary(BinaryOp::Mul, k.ref(x), k.ref(a)), k.f64(1.0)));
  }
}

double fixedLaneReference(const std::vector<double> &values, double start) {
  double lanes[16];
  for (double &lane : lanes)
    lane = -0.0;
  size_t full = values.size() / 16 * 16;
  for (size_t position = 0; position < full; ++position)
    lanes[position % 16] = lanes[position % 16] + values[position];
  double a[8], b[4], c[2];
  for (int j = 0; j < 8; ++j)
    a[j] = lanes[j] + lanes[j + 8];
  for (int j = 0; j < 4; ++j)
    b[j] = a[j] + a[j + 4];
  for (int j = 0; j < 2; ++j)
    c[j] = b[j] + b[j + 2];
  double result = start + (c[0] + c[1]);
  for (size_t position = full; position < values.size(); ++position)
    result = result + values[position];
  return result;
}

std::vector<double> pseudoRandomDoubles(size_t count, uint64_t seed) {
  std::vector<double> values;
  uint64_t state = seed;
  for (size_t index = 0; index < count; ++index) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    // 53 random bits scaled into [-1000, 1000): every step is exact or correctly rounded IEEE.
    values.push_back(double(state >> 11) * 0x1p-53 * 2000.0 - 1000.0);
  }
  return values;
}

} // namespace pyvc::backends::test
