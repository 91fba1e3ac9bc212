// lowerModule: sets up the LLVM module for a target (triple, data layout, debug line tables),
// declares one internal implementation per IR function, lowers their bodies, adds the exported
// entry points of kernel_abi.h and links in the runtime support library.
#include "backends/Lowering.h"
#include "backends/FunctionLowering.h"
#include "backends/ModuleLowering.h"
#include "backends/SupportLibrary.h"

#include "llvm/IR/Verifier.h"
#include "llvm/Target/TargetMachine.h"

#include <functional>

namespace pyvc::backends {

ModuleLowering::ModuleLowering(const ir::Module &source, llvm::Module &module,
                               const LoweringOptions &options)
    : source(source), module(module), context(module.getContext()), options(options),
      debugBuilder(module) {
  listType = llvm::StructType::create(
      context,
      {llvm::PointerType::get(context, 0), llvm::Type::getInt64Ty(context),
       llvm::Type::getInt64Ty(context), llvm::PointerType::get(context, 0),
       llvm::PointerType::get(context, 0), llvm::Type::getInt64Ty(context)},
      "pyvc.list");
}

llvm::Constant *ModuleLowering::message(const std::string &text) {
  auto found = messages_.find(text);
  if (found != messages_.end())
    return found->second;
  llvm::Constant *bytes = llvm::ConstantDataArray::getString(context, text);
  auto *global = new llvm::GlobalVariable(module, bytes->getType(), true,
                                          llvm::GlobalValue::PrivateLinkage, bytes,
                                          ".pyvc.message." + llvm::Twine(messages_.size()));
  global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  global->setAlignment(llvm::Align(1));
  messages_.emplace(text, global);
  return global;
}

llvm::FunctionCallee ModuleLowering::supportFunction(llvm::StringRef name, llvm::Type *result,
                                                     llvm::ArrayRef<llvm::Type *> parameters) {
  auto *type = llvm::FunctionType::get(result, parameters, false);
  llvm::FunctionCallee callee = module.getOrInsertFunction(name, type);
  if (auto *function = llvm::dyn_cast<llvm::Function>(callee.getCallee()))
    function->addFnAttr(llvm::Attribute::NoUnwind);
  return callee;
}

llvm::FunctionCallee ModuleLowering::mathFunction(llvm::StringRef name, unsigned arity) {
  llvm::Type *doubleType = llvm::Type::getDoubleTy(context);
  std::vector<llvm::Type *> parameters(arity, doubleType);
  auto *type = llvm::FunctionType::get(doubleType, parameters, false);
  llvm::FunctionCallee callee = module.getOrInsertFunction(name, type);
  if (auto *function = llvm::dyn_cast<llvm::Function>(callee.getCallee())) {
    // As clang declares libm under -fno-math-errno: no memory effects, so loops calling it can
    // still be optimised; pyvc never reads errno.
    function->setDoesNotAccessMemory();
    function->setDoesNotThrow();
    function->setWillReturn();
  }
  return callee;
}

llvm::Type *ModuleLowering::registerType(const ir::Type &type) {
  switch (type.kind()) {
  case ir::TypeKind::None: return llvm::Type::getVoidTy(context);
  case ir::TypeKind::Bool: return llvm::Type::getInt1Ty(context);
  case ir::TypeKind::Int: return llvm::Type::getInt64Ty(context);
  case ir::TypeKind::Float: return llvm::Type::getDoubleTy(context);
  case ir::TypeKind::List: return llvm::PointerType::get(context, 0);
  case ir::TypeKind::Tuple: {
    std::vector<llvm::Type *> members;
    for (const ir::Type &member : type.members())
      members.push_back(registerType(member));
    return llvm::StructType::get(context, members);
  }
  }
  return nullptr;
}

llvm::Type *ModuleLowering::memoryType(ir::TypeKind scalar) {
  switch (scalar) {
  case ir::TypeKind::Bool: return llvm::Type::getInt8Ty(context);
  case ir::TypeKind::Int: return llvm::Type::getInt64Ty(context);
  case ir::TypeKind::Float: return llvm::Type::getDoubleTy(context);
  default: break;
  }
  assert(false && "memoryType of a non-scalar");
  return nullptr;
}

llvm::DISubprogram *ModuleLowering::makeSubprogram(llvm::Function *function, uint32_t line) {
  llvm::DISubroutineType *type = debugBuilder.createSubroutineType(debugBuilder.getOrCreateTypeArray({}));
  llvm::DISubprogram *subprogram = debugBuilder.createFunction(
      debugFile, function->getName(), function->getName(), debugFile, line, type, line,
      llvm::DINode::FlagZero, llvm::DISubprogram::SPFlagDefinition);
  function->setSubprogram(subprogram);
  return subprogram;
}

// Functions reachable from themselves through calls (the call graph is tiny: a DFS each).
static std::vector<bool> findRecursiveFunctions(const ir::Module &module) {
  size_t count = module.functions.size();
  std::vector<std::vector<uint32_t>> callees(count);
  std::function<void(const ir::Expr *, std::vector<uint32_t> &)> collectExpr;
  // Calls can sit anywhere in an expression tree; walk it generically through the node kinds.
  collectExpr = [&](const ir::Expr *expr, std::vector<uint32_t> &out) {
    if (!expr)
      return;
    auto walk = [&](const ir::Expr *child) { collectExpr(child, out); };
    auto walkSpace = [&](const ir::IterationSpace &space) {
      walk(space.start), walk(space.stop), walk(space.step), walk(space.indexStart);
      for (const ir::Expr *list : space.lists)
        walk(list);
    };
    switch (expr->kind) {
    case ir::ExprKind::Constant:
    case ir::ExprKind::LocalRef: return;
    case ir::ExprKind::Unary: return walk(expr->as<ir::UnaryExpr>()->operand);
    case ir::ExprKind::Binary:
      return walk(expr->as<ir::BinaryExpr>()->lhs), walk(expr->as<ir::BinaryExpr>()->rhs);
    case ir::ExprKind::CompareChain:
      for (const ir::Expr *operand : expr->as<ir::CompareChainExpr>()->operands)
        walk(operand);
      return;
    case ir::ExprKind::Logical:
      return walk(expr->as<ir::LogicalExpr>()->lhs), walk(expr->as<ir::LogicalExpr>()->rhs);
    case ir::ExprKind::Select: {
      const auto *select = expr->as<ir::SelectExpr>();
      return walk(select->condition), walk(select->ifTrue), walk(select->ifFalse);
    }
    case ir::ExprKind::Convert: return walk(expr->as<ir::ConvertExpr>()->operand);
    case ir::ExprKind::Call:
      out.push_back(expr->as<ir::CallExpr>()->callee);
      for (const ir::Expr *argument : expr->as<ir::CallExpr>()->arguments)
        walk(argument);
      return;
    case ir::ExprKind::Intrinsic:
      for (const ir::Expr *argument : expr->as<ir::IntrinsicExpr>()->arguments)
        walk(argument);
      return;
    case ir::ExprKind::ListLength: return walk(expr->as<ir::ListLengthExpr>()->list);
    case ir::ExprKind::Index:
      return walk(expr->as<ir::IndexExpr>()->list), walk(expr->as<ir::IndexExpr>()->index);
    case ir::ExprKind::Slice: {
      const auto *slice = expr->as<ir::SliceExpr>();
      return walk(slice->list), walk(slice->lower), walk(slice->upper);
    }
    case ir::ExprKind::ListLiteral:
      for (const ir::Expr *element : expr->as<ir::ListLiteralExpr>()->elements)
        walk(element);
      return;
    case ir::ExprKind::ListRepeat:
      return walk(expr->as<ir::ListRepeatExpr>()->list), walk(expr->as<ir::ListRepeatExpr>()->count);
    case ir::ExprKind::Comprehension: {
      const auto *comprehension = expr->as<ir::ComprehensionExpr>();
      for (const ir::Generator &generator : comprehension->generators) {
        walkSpace(generator.space);
        for (const ir::Expr *condition : generator.conditions)
          walk(condition);
      }
      return walk(comprehension->element), walk(comprehension->start);
    }
    case ir::ExprKind::Sorted: return walk(expr->as<ir::SortedExpr>()->list);
    case ir::ExprKind::TupleMake:
      for (const ir::Expr *member : expr->as<ir::TupleMakeExpr>()->members)
        walk(member);
      return;
    case ir::ExprKind::TupleGet: return walk(expr->as<ir::TupleGetExpr>()->tuple);
    }
  };
  std::function<void(const ir::Block &, std::vector<uint32_t> &)> collectBlock =
      [&](const ir::Block &block, std::vector<uint32_t> &out) {
        for (const ir::Stmt *statement : block) {
          if (const auto *assign = statement->as<ir::AssignStmt>())
            collectExpr(assign->value, out);
          else if (const auto *store = statement->as<ir::StoreIndexStmt>())
            collectExpr(store->index, out), collectExpr(store->value, out);
          else if (const auto *append = statement->as<ir::AppendStmt>())
            collectExpr(append->value, out);
          else if (const auto *ifStatement = statement->as<ir::IfStmt>()) {
            collectExpr(ifStatement->condition, out);
            collectBlock(ifStatement->thenBody, out), collectBlock(ifStatement->elseBody, out);
          } else if (const auto *whileStatement = statement->as<ir::WhileStmt>()) {
            collectExpr(whileStatement->condition, out), collectBlock(whileStatement->body, out);
          } else if (const auto *forStatement = statement->as<ir::ForStmt>()) {
            const ir::IterationSpace &space = forStatement->space;
            collectExpr(space.start, out), collectExpr(space.stop, out), collectExpr(space.step, out);
            collectExpr(space.indexStart, out);
            for (const ir::Expr *list : space.lists)
              collectExpr(list, out);
            collectBlock(forStatement->body, out);
          } else if (const auto *returnStatement = statement->as<ir::ReturnStmt>())
            collectExpr(returnStatement->value, out);
        }
      };
  for (size_t index = 0; index < count; ++index)
    collectBlock(module.functions[index].body, callees[index]);

  std::vector<bool> recursive(count, false);
  for (size_t root = 0; root < count; ++root) {
    std::vector<bool> seen(count, false);
    std::vector<uint32_t> pending = callees[root];
    while (!pending.empty() && !recursive[root]) {
      uint32_t next = pending.back();
      pending.pop_back();
      if (next == root)
        recursive[root] = true;
      if (next >= count || seen[next])
        continue;
      seen[next] = true;
      pending.insert(pending.end(), callees[next].begin(), callees[next].end());
    }
  }
  return recursive;
}

void declareImplementations(ModuleLowering &lowering) {
  llvm::LLVMContext &context = lowering.context;
  llvm::Type *pointer = llvm::PointerType::get(context, 0);
  llvm::Type *int64 = llvm::Type::getInt64Ty(context);
  lowering.recursive = findRecursiveFunctions(lowering.source);
  for (const ir::Function &function : lowering.source.functions) {
    std::vector<llvm::Type *> parameters;
    for (ir::LocalId parameter : function.parameters) {
      const ir::Type &type = function.locals[parameter].type;
      if (type.isList()) {
        parameters.push_back(pointer);
        parameters.push_back(int64);
      } else {
        parameters.push_back(lowering.registerType(type));
      }
    }
    if (function.returnType.isTuple())
      parameters.insert(parameters.end(), function.returnType.members().size(), pointer);
    else if (!function.returnType.isNone())
      parameters.push_back(pointer);
    parameters.push_back(pointer);                          // const char **message
    parameters.push_back(llvm::Type::getInt32Ty(context)); // call depth
    auto *type = llvm::FunctionType::get(llvm::Type::getInt32Ty(context), parameters, false);
    auto *implementation = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                                                  "pyvc_impl_" + function.name, lowering.module);
    implementation->addFnAttr(llvm::Attribute::NoUnwind);
    // List data parameters are never written through (copy on write) and callers do not
    // write them during the call: noalias + readonly is legal and helps vectorization.
    unsigned argument = 0;
    for (ir::LocalId parameter : function.parameters) {
      if (function.locals[parameter].type.isList()) {
        implementation->addParamAttr(argument, llvm::Attribute::NoAlias);
        implementation->addParamAttr(argument, llvm::Attribute::ReadOnly);
        argument += 2;
      } else {
        ++argument;
      }
    }
    lowering.implementations.push_back(implementation);
  }
}

std::unique_ptr<llvm::Module> lowerModule(const ir::Module &module, llvm::LLVMContext &context,
                                          llvm::TargetMachine &target, const LoweringOptions &options) {
  std::string name = module.sourcePath.empty() ? std::string("kernel") : module.sourcePath;
  auto result = std::make_unique<llvm::Module>(name, context);
  result->setTargetTriple(target.getTargetTriple().str());
  result->setDataLayout(target.createDataLayout());
  result->setSourceFileName(name);

  ModuleLowering lowering(module, *result, options);
  result->addModuleFlag(llvm::Module::Warning, "Debug Info Version", llvm::DEBUG_METADATA_VERSION);
  result->addModuleFlag(llvm::Module::Warning, "Dwarf Version", 5);
  // The path as given (no directory): nothing machine-specific enters the module.
  lowering.debugFile = lowering.debugBuilder.createFile(name, "");
  lowering.compileUnit = lowering.debugBuilder.createCompileUnit(
      llvm::dwarf::DW_LANG_Python, lowering.debugFile, "pyvc", options.optLevel > 0, "", 0, "",
      llvm::DICompileUnit::LineTablesOnly);

  declareImplementations(lowering);
  for (const ir::Function &function : module.functions)
    FunctionLowering(lowering, function).lower();
  emitEntryPoints(lowering);
  lowering.debugBuilder.finalize();
  linkSupportLibrary(*result, target);
  if (options.strictFp)
    keepPowCallsExact(*result);
  assert(!llvm::verifyModule(*result, &llvm::errs()) && "lowering produced an invalid module");
  return result;
}

} // namespace pyvc::backends
