// No leaks on any path: a C program calls list-heavy kernels (results freed with pyvc_kernels_free,
// errors raised after allocations, copies of borrowed parameters) under valgrind, which must
// report no lost block and no invalid access.
#include "KernelBuilder.h"
#include "KernelTestSupport.h"

#include <fstream>

namespace pyvc::backends::test {
namespace {

using ir::BinaryOp;
using ir::CompareOp;
using ir::Type;
using ir::TypeKind;

void buildLeakKernels(ir::Module &module) {
  KernelBuilder k(module);
  const Type intList = Type::list(TypeKind::Int);
  uint32_t squares = k.function("squares", intList); // out = []; for i in range(n): out.append(i * i)
  {
    ir::LocalId n = k.param("n", Type::integer()), out = k.local("out", intList), i = k.local("i", Type::integer());
    k.assign(out, k.listLiteral(TypeKind::Int, {}));
    ir::ForStmt *loop = k.forStmt(k.range(k.i64(0), k.ref(n), k.i64(1), i));
    k.append(out, k.binary(BinaryOp::Mul, k.ref(i), k.ref(i)), &loop->body);
    k.ret(k.ref(out));
  }
  { // def churn(n): acc = 0; for i in range(n): t = [i, i + 1] * 3; acc += len(sorted(t[1:])); return acc // (n - 5)
    k.function("churn", Type::integer());
    ir::LocalId n = k.param("n", Type::integer()), acc = k.local("acc", Type::integer());
    ir::LocalId i = k.local("i", Type::integer()), t = k.local("t", intList);
    k.assign(acc, k.i64(0));
    ir::ForStmt *loop = k.forStmt(k.range(k.i64(0), k.ref(n), k.i64(1), i));
    k.assign(t, k.repeat(k.listLiteral(TypeKind::Int, {k.ref(i), k.binary(BinaryOp::Add, k.ref(i), k.i64(1))}), k.i64(3)),
             &loop->body);
    k.assign(acc, k.binary(BinaryOp::Add, k.ref(acc), k.length(k.sorted(k.slice(k.ref(t), k.i64(1), nullptr)))),
             &loop->body);
    k.ret(k.binary(BinaryOp::FloorDiv, k.ref(acc), k.binary(BinaryOp::Sub, k.ref(n), k.i64(5))));
  }
  { // def past_end(n): ys = squares(n); return ys[n]      (IndexError after a callee's list)
    k.function("past_end", Type::integer());
    ir::LocalId n = k.param("n", Type::integer()), ys = k.local("ys", intList);
    k.assign(ys, k.call(squares, {k.ref(n)}));
    k.ret(k.index(k.ref(ys), k.ref(n)));
  }
  { // def patched(xs, i) -> list[int]: ys = xs; ys.append(1); ys[i] = 5; return ys
    k.function("patched", intList);
    ir::LocalId xs = k.param("xs", intList), i = k.param("i", Type::integer()), ys = k.local("ys", intList);
    k.assign(ys, k.ref(xs));
    k.append(ys, k.i64(1));
    k.storeIndex(ys, k.ref(i), k.i64(5));
    k.ret(k.ref(ys));
  }
  { // def temporaries(n): t = 0; for i in range(n): (for y in sorted([i, 2] * 2): t += y); t += [i][0] + len(squares(3));
    //                      (if [i]: t += 1);  return t + sum(x for x in squares(n)[1:])
    k.function("temporaries", Type::integer());
    ir::LocalId n = k.param("n", Type::integer()), t = k.local("t", Type::integer());
    ir::LocalId i = k.local("i", Type::integer()), y = k.local("y", Type::integer()), x = k.local("x", Type::integer());
    k.assign(t, k.i64(0));
    ir::ForStmt *loop = k.forStmt(k.range(k.i64(0), k.ref(n), k.i64(1), i));
    ir::ForStmt *inner = k.forStmt(
        k.over({k.sorted(k.repeat(k.listLiteral(TypeKind::Int, {k.ref(i), k.i64(2)}), k.i64(2)))}, {y}), &loop->body);
    k.assign(t, k.binary(BinaryOp::Add, k.ref(t), k.ref(y)), &inner->body);
    k.assign(t, k.binary(BinaryOp::Add, k.ref(t),
                         k.binary(BinaryOp::Add, k.index(k.listLiteral(TypeKind::Int, {k.ref(i)}), k.i64(0)),
                                  k.length(k.call(squares, {k.i64(3)})))),
             &loop->body);
    ir::IfStmt *nonEmpty = k.ifStmt(k.convert(ir::ConvertOp::ListTruth, k.listLiteral(TypeKind::Int, {k.ref(i)})), &loop->body);
    k.assign(t, k.binary(BinaryOp::Add, k.ref(t), k.i64(1)), &nonEmpty->thenBody);
    auto *sum = k.comprehension(ir::ComprehensionKind::Sum, Type::integer(),
                                k.over({k.slice(k.call(squares, {k.ref(n)}), k.i64(1), nullptr)}, {x}), k.ref(x));
    sum->start = k.i64(0);
    k.ret(k.binary(BinaryOp::Add, k.ref(t), sum));
  }
  { // def evens(xs) -> list[int]: return [x for x in xs if x % 2 == 0]
    k.function("evens", intList);
    ir::LocalId xs = k.param("xs", intList), x = k.local("x", Type::integer());
    k.ret(k.comprehension(ir::ComprehensionKind::List, intList, k.over({k.ref(xs)}, {x}), k.ref(x),
                          {k.compare(CompareOp::Eq, k.binary(BinaryOp::Mod, k.ref(x), k.i64(2)), k.i64(0))}));
  }
}

const char *const LeakDriver = R"(
#include <stdint.h>
#include <stdio.h>
int32_t pyvc_kernels_fn_squares(int64_t, int64_t **, int64_t *, const char **);
int32_t pyvc_kernels_fn_churn(int64_t, int64_t *, const char **);
int32_t pyvc_kernels_fn_past_end(int64_t, int64_t *, const char **);
int32_t pyvc_kernels_fn_patched(const int64_t *, int64_t, int64_t, int64_t **, int64_t *, const char **);
int32_t pyvc_kernels_fn_evens(const int64_t *, int64_t, int64_t **, int64_t *, const char **);
int32_t pyvc_kernels_fn_temporaries(int64_t, int64_t *, const char **);
void pyvc_kernels_free(void *);
int main(void) {
  int64_t *data, length, value, xs[] = {1, 2, 3, 4};
  int failures = 0;
  failures += pyvc_kernels_fn_squares(1000, &data, &length, 0) != 0 || length != 1000 || data[999] != 998001;
  pyvc_kernels_free(data);
  failures += pyvc_kernels_fn_squares(0, &data, &length, 0) != 0 || data != 0;
  pyvc_kernels_free(data);
  failures += pyvc_kernels_fn_churn(50, &value, 0) != 0 || value != 250 / 45;
  failures += pyvc_kernels_fn_churn(5, &value, 0) != 1; /* ZeroDivisionError after 5 iterations of lists */
  failures += pyvc_kernels_fn_past_end(10, &value, 0) != 2;
  failures += pyvc_kernels_fn_patched(xs, 4, 0, &data, &length, 0) != 0 || length != 5 || data[0] != 5 || xs[0] != 1;
  pyvc_kernels_free(data);
  failures += pyvc_kernels_fn_patched(xs, 4, 9, &data, &length, 0) != 2; /* IndexError after the copy */
  failures += pyvc_kernels_fn_evens(xs, 4, &data, &length, 0) != 0 || length != 2 || data[1] != 4;
  pyvc_kernels_free(data);
  failures += pyvc_kernels_fn_evens(0, 0, &data, &length, 0) != 0 || length != 0;
  pyvc_kernels_free(data);
  /* python3: sum(sum(sorted([i, 2] * 2)) + i + 3 + 1 for i in range(100)) + sum(x * x for x in range(100)[1:]) */
  failures += pyvc_kernels_fn_temporaries(100, &value, 0) != 0 || value != 344000;
  printf("failures %d (temporaries %lld)\n", failures, (long long)value);
  return failures;
}
)";

TEST(Leaks, NoBlockIsLostOnAnyPath) {
  if (runCommand("command -v valgrind") != 0)
    GTEST_SKIP() << "valgrind missing";
  ir::Module module;
  buildLeakKernels(module);
  std::unique_ptr<NativeLibrary> library = compileForHost(module, 2);
  ASSERT_NE(library, nullptr);
  TemporaryDirectory directory;
  std::string driver = directory.path() + "/driver.c", program = directory.path() + "/driver";
  std::ofstream(driver) << LeakDriver;
  std::string output;
  ASSERT_EQ(runCommand("gcc -O1 -o " + program + " " + driver + " " + library->path() + " -Wl,-rpath," +
                           library->path().substr(0, library->path().rfind('/')),
                       &output),
            0)
      << output;
  int status = runCommand("timeout 240 valgrind -q --leak-check=full --show-leak-kinds=all "
                          "--errors-for-leak-kinds=all --error-exitcode=9 " + program, &output);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("failures 0"), std::string::npos) << output;
}

} // namespace
} // namespace pyvc::backends::test
