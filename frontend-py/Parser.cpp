// Recursive descent over Python's grammar (the rule each function parses is in the comment
// above it). Errors set `failed_`; the statement being parsed is then dropped and parsing
// resumes at the next line, so a run reports one error per broken statement.
#include "frontend-py/Parser.h"

#include <algorithm>

namespace pyvc::frontend {

namespace {

// Stop after this many errors: a file of garbage would otherwise report one per line.
constexpr size_t MaxParserErrors = 100;

class Parser {
public:
  Parser(const std::vector<Token> &tokens, AstModule &module, DiagnosticEngine &diags)
      : tokens_(tokens), module_(module), diags_(diags) {}

  // file: statement* EOF
  void parseFile() {
    while (!at(TokenKind::EndOfFile) && diags_.errorCount() < MaxParserErrors) {
      if (at(TokenKind::Newline) || at(TokenKind::Dedent)) {
        advance();
        continue;
      }
      if (at(TokenKind::Indent)) {
        diags_.report(DiagnosticKind::UnexpectedIndent, peek().span);
        skipBlock();
        continue;
      }
      parseStatement(module_.body);
    }
  }

private:
  // ---- token helpers ----------------------------------------------------------------------
  const Token &peek(size_t ahead = 0) const {
    size_t index = std::min(position_ + ahead, tokens_.size() - 1);
    return tokens_[index];
  }
  const Token &previous() const { return tokens_[position_ ? position_ - 1 : 0]; }
  bool at(TokenKind kind) const { return peek().kind == kind; }
  bool atOperator(const char *op) const { return peek().isOperator(op); }
  bool atKeyword(const char *keyword) const { return peek().isKeyword(keyword); }
  const Token &advance() {
    const Token &token = peek();
    if (position_ + 1 < tokens_.size())
      ++position_;
    return token;
  }
  bool acceptOperator(const char *op) {
    if (!atOperator(op))
      return false;
    advance();
    return true;
  }
  bool acceptKeyword(const char *keyword) {
    if (!atKeyword(keyword))
      return false;
    advance();
    return true;
  }

  static std::string describe(const Token &token) {
    switch (token.kind) {
    case TokenKind::Newline: return "end of line";
    case TokenKind::Indent: return "an indented block";
    case TokenKind::Dedent: return "the end of the block";
    case TokenKind::EndOfFile: return "end of file";
    case TokenKind::String: return "a string";
    default: {
      std::string text = token.text.size() > 20 ? token.text.substr(0, 20) + "..." : token.text;
      return "`" + text + "`";
    }
    }
  }

  // Reports the first error of a statement; later ones in the same statement are noise.
  void error(DiagnosticKind kind, ir::Span span, const std::vector<std::string> &arguments = {}) {
    if (failed_)
      return;
    failed_ = true;
    if (!peek().afterLexicalError)
      diags_.report(kind, span, arguments);
  }
  void markRecovered() {
    if (!functions_.empty())
      functions_.back()->recovered = true;
  }
  // Points at the offending token; at the end of a line, just after the last token of the
  // line (where the missing piece belongs), not at a comment or the line break.
  void expected(const std::string &what) {
    ir::Span span = peek().span;
    if ((at(TokenKind::Newline) || at(TokenKind::EndOfFile)) && position_ > 0) {
      const ir::Span &last = previous().span;
      span = {last.endLine, last.endColumn, last.endLine, last.endColumn + 1};
    }
    error(DiagnosticKind::ExpectedToken, span, {what, describe(peek())});
  }
  bool expectOperator(const char *op) {
    if (acceptOperator(op))
      return true;
    expected(std::string("`") + op + "`");
    return false;
  }

  // Skips the rest of the logical line, and the indented block that follows it, if any.
  void synchronize() {
    while (!at(TokenKind::EndOfFile) && !at(TokenKind::Newline))
      advance();
    if (at(TokenKind::Newline))
      advance();
    if (at(TokenKind::Indent))
      skipBlock();
  }
  // Skips an Indent ... matching Dedent.
  void skipBlock() {
    int depth = 0;
    do {
      if (at(TokenKind::Indent))
        ++depth;
      else if (at(TokenKind::Dedent))
        --depth;
      if (at(TokenKind::EndOfFile))
        return;
      advance();
    } while (depth > 0);
  }

  ir::Span spanSince(const ir::Span &start) const { return joinSpans(start, previous().span); }

  // Limits recursion: every nested expression (so every bracket), unary operator, `**` and
  // block passes through one guard, and MaxNestingDepth of them may be open at once.
  struct NestingGuard {
    Parser &parser;
    bool ok;
    explicit NestingGuard(Parser &p) : parser(p), ok(++p.nesting_ <= MaxNestingDepth) {
      if (!ok)
        p.error(DiagnosticKind::NestingTooDeep, p.peek().span);
    }
    ~NestingGuard() { --parser.nesting_; }
  };

  AstExpr *make(AstExprKind kind, ir::Span span, std::vector<AstExpr *> children = {}) {
    AstExpr *node = module_.makeExpr(kind, span);
    node->children = std::move(children);
    return finish(node);
  }
  // Computes the height of a node and rejects trees too tall for later phases.
  AstExpr *finish(AstExpr *node) {
    uint32_t depth = 0;
    for (AstExpr *child : node->children)
      if (child)
        depth = std::max(depth, child->depth);
    for (const AstKeyword &keyword : node->keywords)
      if (keyword.value)
        depth = std::max(depth, keyword.value->depth);
    node->depth = depth + 1;
    if (node->depth > MaxExpressionDepth)
      error(DiagnosticKind::ExpressionTooComplex, node->span);
    return node;
  }
  AstExpr *unsupportedExpression(ir::Span span, const std::string &what) {
    AstExpr *node = module_.makeExpr(AstExprKind::Unsupported, span);
    node->text = what;
    return node;
  }

  // ---- statements -------------------------------------------------------------------------

  // statement: compound_stmt | simple_stmts
  void parseStatement(AstBlock &block) {
    failed_ = false;
    size_t before = block.size();
    if (atKeyword("def") || atKeyword("if") || atKeyword("while") || atKeyword("for") || atOperator("@"))
      parseCompound(block);
    else if (atUnsupportedCompound())
      parseUnsupportedCompound();
    else
      parseSimpleStatements(block);
    if (failed_) {
      block.resize(before); // drop the broken statement
      markRecovered();
      synchronize();
      failed_ = false;
    }
  }

  void parseCompound(AstBlock &block) {
    std::vector<AstExpr *> decorators;
    while (atOperator("@")) {
      ir::Span start = advance().span;
      AstExpr *decorator = parseNamedExpression();
      if (failed_)
        return;
      diags_.report(DiagnosticKind::UnsupportedExpression, spanSince(start),
                    {"a decorator", "decorator", "remove the decorator: pyvc compiles the plain function"});
      decorators.push_back(decorator);
      if (!at(TokenKind::Newline))
        return expected("end of line");
      advance();
    }
    if (!decorators.empty() && !atKeyword("def")) {
      if (atUnsupportedCompound())
        return parseUnsupportedCompound();
      return expected("`def` after decorators");
    }
    AstStmt *statement = nullptr;
    if (atKeyword("def"))
      statement = parseFunctionDef();
    else if (atKeyword("if"))
      statement = parseIf();
    else if (atKeyword("while"))
      statement = parseWhile();
    else
      statement = parseFor();
    if (statement && !failed_) {
      statement->decorators = std::move(decorators);
      block.push_back(statement);
    }
  }

  bool atUnsupportedCompound() const {
    static const char *const keywords[] = {"class", "try", "with", "async", "except", "finally"};
    for (const char *keyword : keywords)
      if (atKeyword(keyword))
        return true;
    return false;
  }

  // class/try/with/async ...: reported once and skipped with their blocks (and, for `try`, the
  // except/else/finally clauses that belong to it).
  void parseUnsupportedCompound() {
    const Token &keyword = advance();
    std::string name = keyword.text;
    if (name == "async" && (atKeyword("def") || atKeyword("for") || atKeyword("with")))
      name = "async " + peek().text;
    std::string label = name == "class" ? "class definition" : name + " statement";
    error(DiagnosticKind::UnsupportedStatement, keyword.span, {name, label});
    markRecovered();
    synchronize();
    failed_ = false;
    if (name == "try")
      while (atKeyword("except") || atKeyword("else") || atKeyword("finally"))
        synchronize();
  }

  // block: NEWLINE INDENT statement+ DEDENT | simple_stmts
  AstBlock parseBlock() {
    AstBlock block;
    NestingGuard guard(*this); // blocks nest through recursion too
    if (!guard.ok || !expectOperator(":"))
      return block;
    if (!at(TokenKind::Newline)) {
      parseSimpleStatements(block);
      return block;
    }
    advance();
    if (!at(TokenKind::Indent)) {
      expected("an indented block");
      return block;
    }
    advance();
    bool outerFailed = failed_;
    while (!at(TokenKind::Dedent) && !at(TokenKind::EndOfFile) && diags_.errorCount() < MaxParserErrors) {
      if (at(TokenKind::Newline)) {
        advance();
        continue;
      }
      if (at(TokenKind::Indent)) {
        diags_.report(DiagnosticKind::UnexpectedIndent, peek().span);
        markRecovered();
        skipBlock();
        continue;
      }
      parseStatement(block);
    }
    if (at(TokenKind::Dedent))
      advance();
    failed_ = outerFailed;
    return block;
  }

  // function_def: 'def' NAME '(' [params] ')' ['->' expression] ':' block
  AstStmt *parseFunctionDef() {
    ir::Span start = advance().span;
    if (!at(TokenKind::Name) || isPythonKeyword(peek().text)) {
      expected("a function name");
      return nullptr;
    }
    AstStmt *function = module_.makeStmt(AstStmtKind::FunctionDef, start);
    function->name = advance().text;
    if (!expectOperator("("))
      return nullptr;
    while (!atOperator(")") && !failed_) {
      parseParameter(function->parameters);
      if (!acceptOperator(","))
        break;
    }
    if (!expectOperator(")"))
      return nullptr;
    if (acceptOperator("->"))
      function->returns = parseExpression();
    function->span = spanSince(start);
    if (failed_)
      return nullptr;
    functions_.push_back(function);
    function->body = parseBlock();
    functions_.pop_back();
    return failed_ ? nullptr : function;
  }

  // param: NAME [':' expression] ['=' expression] | '*' [NAME [':' expression]] | '**' NAME | '/'
  void parseParameter(std::vector<AstParameter> &parameters) {
    AstParameter parameter;
    ir::Span start = peek().span;
    if (atOperator("*") || atOperator("**") || atOperator("/"))
      parameter.star = advance().text;
    if (parameter.star != "/" && !(parameter.star == "*" && (atOperator(",") || atOperator(")")))) {
      if (!at(TokenKind::Name) || isPythonKeyword(peek().text))
        return expected("a parameter name");
      parameter.name = advance().text;
      if (acceptOperator(":"))
        parameter.annotation = parseExpression();
      if (acceptOperator("="))
        parameter.defaultValue = parseExpression();
    }
    parameter.span = spanSince(start);
    parameters.push_back(parameter);
  }

  // if_stmt: 'if' named_expression ':' block ('elif' named_expression ':' block)* ['else' ':' block]
  AstStmt *parseIf() {
    ir::Span start = advance().span;
    AstStmt *statement = module_.makeStmt(AstStmtKind::If, start);
    statement->test = parseNamedExpression();
    statement->span = spanSince(start);
    if (failed_)
      return nullptr;
    statement->body = parseBlock();
    if (atKeyword("elif")) {
      AstStmt *elif = parseIf();
      if (elif)
        statement->orElse.push_back(elif);
    } else if (atKeyword("else")) {
      advance();
      statement->orElse = parseBlock();
    }
    return failed_ ? nullptr : statement;
  }

  // while_stmt: 'while' named_expression ':' block ['else' ':' block]
  AstStmt *parseWhile() {
    ir::Span start = advance().span;
    AstStmt *statement = module_.makeStmt(AstStmtKind::While, start);
    statement->test = parseNamedExpression();
    statement->span = spanSince(start);
    if (failed_)
      return nullptr;
    statement->body = parseBlock();
    parseLoopElse(statement);
    return failed_ ? nullptr : statement;
  }

  // for_stmt: 'for' star_targets 'in' star_expressions ':' block ['else' ':' block]
  AstStmt *parseFor() {
    ir::Span start = advance().span;
    AstStmt *statement = module_.makeStmt(AstStmtKind::For, start);
    statement->targets.push_back(parseTargetList());
    if (failed_)
      return nullptr;
    if (!acceptKeyword("in")) {
      expected("`in`");
      return nullptr;
    }
    statement->value = parseExpressionList(false);
    statement->span = spanSince(start);
    if (failed_)
      return nullptr;
    statement->body = parseBlock();
    parseLoopElse(statement);
    return failed_ ? nullptr : statement;
  }

  void parseLoopElse(AstStmt *loop) {
    if (!atKeyword("else"))
      return;
    loop->elseSpan = advance().span;
    loop->orElse = parseBlock();
  }

  // simple_stmts: simple_stmt (';' simple_stmt)* [';'] NEWLINE
  void parseSimpleStatements(AstBlock &block) {
    for (;;) {
      AstStmt *statement = parseSimpleStatement();
      if (failed_)
        return;
      if (statement)
        block.push_back(statement);
      if (!acceptOperator(";"))
        break;
      if (at(TokenKind::Newline) || at(TokenKind::EndOfFile))
        break;
    }
    if (at(TokenKind::EndOfFile) || at(TokenKind::Dedent))
      return;
    if (!at(TokenKind::Newline))
      return expected("end of line");
    advance();
  }

  AstStmt *parseSimpleStatement() {
    ir::Span start = peek().span;
    if (acceptKeyword("pass"))
      return module_.makeStmt(AstStmtKind::Pass, start);
    if (acceptKeyword("break"))
      return module_.makeStmt(AstStmtKind::Break, start);
    if (acceptKeyword("continue"))
      return module_.makeStmt(AstStmtKind::Continue, start);
    if (atKeyword("return")) {
      advance();
      AstStmt *statement = module_.makeStmt(AstStmtKind::Return, start);
      if (!at(TokenKind::Newline) && !atOperator(";") && !at(TokenKind::EndOfFile))
        statement->value = parseExpressionList(true);
      statement->span = spanSince(start);
      return statement;
    }
    if (atKeyword("import"))
      return parseImport();
    if (atKeyword("from"))
      return parseImportFrom();
    if (atKeyword("assert")) {
      advance();
      AstStmt *statement = module_.makeStmt(AstStmtKind::Assert, start);
      statement->test = parseExpression();
      if (statement->test && acceptOperator(","))
        statement->value = parseExpression();
      if (!statement->test || failed_)
        return nullptr;
      statement->span = spanSince(start);
      return statement;
    }
    if (atKeyword("raise")) {
      advance();
      AstStmt *statement = module_.makeStmt(AstStmtKind::Raise, start);
      if (!at(TokenKind::Newline) && !atOperator(";") && !at(TokenKind::EndOfFile)) {
        statement->value = parseExpression();
        if (!statement->value || failed_)
          return nullptr;
        if (atKeyword("from")) {
          error(DiagnosticKind::UnsupportedStatement, peek().span, {"raise ... from", "exception chaining"});
          return nullptr;
        }
      }
      statement->span = spanSince(start);
      return statement;
    }
    static const char *const unsupported[] = {"global", "nonlocal", "del", "yield"};
    for (const char *keyword : unsupported)
      if (atKeyword(keyword)) {
        error(DiagnosticKind::UnsupportedStatement, peek().span, {keyword, std::string(keyword) + " statement"});
        return nullptr;
      }
    return parseExpressionStatement();
  }

  // import_name: 'import' dotted_as_names
  AstStmt *parseImport() {
    ir::Span start = advance().span;
    AstStmt *statement = module_.makeStmt(AstStmtKind::Import, start);
    do {
      AstImportName name;
      ir::Span nameStart = peek().span;
      name.name = parseDottedName();
      if (acceptKeyword("as")) {
        if (!at(TokenKind::Name))
          return expected("a name after `as`"), nullptr;
        name.asName = advance().text;
      }
      name.span = spanSince(nameStart);
      statement->names.push_back(name);
    } while (!failed_ && acceptOperator(","));
    statement->span = spanSince(start);
    return statement;
  }

  // import_from: 'from' dotted_name 'import' ('*' | '(' import_as_names ')' | import_as_names)
  AstStmt *parseImportFrom() {
    ir::Span start = advance().span;
    AstStmt *statement = module_.makeStmt(AstStmtKind::ImportFrom, start);
    while (atOperator(".") || atOperator("..."))
      statement->name += advance().text; // relative imports: reported by sema as unknown modules
    if (!atKeyword("import"))
      statement->name += parseDottedName();
    if (!acceptKeyword("import"))
      return expected("`import`"), nullptr;
    bool parenthesized = acceptOperator("(");
    do {
      if (parenthesized && atOperator(")"))
        break;
      AstImportName name;
      name.span = peek().span;
      if (acceptOperator("*")) {
        name.name = "*";
      } else {
        if (!at(TokenKind::Name))
          return expected("a name to import"), nullptr;
        name.name = advance().text;
        if (acceptKeyword("as")) {
          if (!at(TokenKind::Name))
            return expected("a name after `as`"), nullptr;
          name.asName = advance().text;
        }
      }
      name.span = spanSince(name.span);
      statement->names.push_back(name);
    } while (!failed_ && acceptOperator(","));
    if (parenthesized)
      expectOperator(")");
    statement->span = spanSince(start);
    return statement;
  }

  std::string parseDottedName() {
    std::string name;
    do {
      if (!at(TokenKind::Name)) {
        expected("a module name");
        return name;
      }
      name += (name.empty() ? "" : ".") + advance().text;
    } while (acceptOperator("."));
    return name;
  }

  // assignment | augassign | annotated assignment | star_expressions
  AstStmt *parseExpressionStatement() {
    ir::Span start = peek().span;
    AstExpr *first = parseExpressionList(true);
    if (failed_)
      return nullptr;
    if (atOperator(":")) {
      advance();
      AstStmt *statement = module_.makeStmt(AstStmtKind::AnnAssign, start);
      statement->targets.push_back(first);
      statement->annotation = parseExpression();
      if (acceptOperator("="))
        statement->value = parseAssignedValue();
      statement->span = spanSince(start);
      return statement;
    }
    static const char *const augmented[] = {"+=", "-=", "*=", "/=", "//=", "%=", "**=", "@=",
                                            "&=", "|=", "^=", "<<=", ">>="};
    for (const char *op : augmented)
      if (atOperator(op)) {
        advance();
        AstStmt *statement = module_.makeStmt(AstStmtKind::AugAssign, start);
        statement->name = std::string(op).substr(0, std::string(op).size() - 1);
        statement->targets.push_back(first);
        statement->value = parseAssignedValue();
        statement->span = spanSince(start);
        return statement;
      }
    if (!atOperator("=")) {
      AstStmt *statement = module_.makeStmt(AstStmtKind::ExprStmt, start);
      statement->value = first;
      statement->span = spanSince(start);
      return statement;
    }
    AstStmt *statement = module_.makeStmt(AstStmtKind::Assign, start);
    AstExpr *value = first;
    while (acceptOperator("=")) {
      statement->targets.push_back(value);
      value = parseAssignedValue();
      if (failed_)
        return nullptr;
    }
    statement->value = value;
    statement->span = spanSince(start);
    return statement;
  }

  AstExpr *parseAssignedValue() {
    if (atKeyword("yield")) {
      error(DiagnosticKind::UnsupportedStatement, peek().span, {"yield", "yield expression"});
      return nullptr;
    }
    return parseExpressionList(true);
  }

  // ---- expressions --------------------------------------------------------------------------

  // star_expressions: a comma-separated list, a Tuple when there is a comma
  AstExpr *parseExpressionList(bool allowStar) {
    ir::Span start = peek().span;
    AstExpr *first = allowStar ? parseStarOrNamed() : parseNamedExpression();
    if (failed_ || !atOperator(","))
      return first;
    std::vector<AstExpr *> elements = {first};
    while (acceptOperator(",")) {
      if (!startsExpression())
        break;
      elements.push_back(allowStar ? parseStarOrNamed() : parseNamedExpression());
      if (failed_)
        return nullptr;
    }
    return make(AstExprKind::Tuple, spanSince(start), std::move(elements));
  }

  // The targets of `for`: bitwise_or level, so that `in` ends them.
  AstExpr *parseTargetList() {
    ir::Span start = peek().span;
    std::vector<AstExpr *> elements = {parseStarOr([this] { return parseBitwiseOr(); })};
    if (!atOperator(","))
      return elements[0];
    while (acceptOperator(",") && !atKeyword("in"))
      elements.push_back(parseStarOr([this] { return parseBitwiseOr(); }));
    return make(AstExprKind::Tuple, spanSince(start), std::move(elements));
  }

  template <typename ParseFunction> AstExpr *parseStarOr(ParseFunction parse) {
    if (!atOperator("*"))
      return parse();
    ir::Span start = advance().span;
    AstExpr *operand = parse();
    if (failed_)
      return nullptr;
    return make(AstExprKind::Starred, spanSince(start), {operand});
  }
  AstExpr *parseStarOrNamed() {
    return parseStarOr([this] { return parseNamedExpression(); });
  }

  bool startsExpression() const {
    const Token &token = peek();
    if (token.kind == TokenKind::Name)
      return !isPythonKeyword(token.text) || token.text == "not" || token.text == "lambda" ||
             token.text == "True" || token.text == "False" || token.text == "None" || token.text == "await";
    if (token.kind == TokenKind::Integer || token.kind == TokenKind::Float || token.kind == TokenKind::String)
      return true;
    if (token.kind != TokenKind::Operator)
      return false;
    static const char *const starters[] = {"(", "[", "{", "-", "+", "~", "*", "..."};
    for (const char *op : starters)
      if (token.text == op)
        return true;
    return false;
  }

  // named_expression: NAME ':=' expression | expression
  AstExpr *parseNamedExpression() {
    ir::Span start = peek().span;
    AstExpr *expression = parseExpression();
    if (failed_ || !atOperator(":="))
      return expression;
    advance();
    parseExpression();
    if (failed_)
      return nullptr;
    diags_.report(DiagnosticKind::UnsupportedExpression, spanSince(start),
                  {"an assignment expression (`:=`)", "walrus operator", "assign in a separate statement"});
    return unsupportedExpression(spanSince(start), "walrus");
  }

  // expression: disjunction ['if' disjunction 'else' expression] | lambdef
  AstExpr *parseExpression() {
    NestingGuard guard(*this);
    if (!guard.ok || failed_)
      return nullptr;
    ir::Span start = peek().span;
    if (atKeyword("lambda"))
      return parseLambda();
    AstExpr *value = parseDisjunction();
    if (failed_ || !atKeyword("if"))
      return value;
    advance();
    AstExpr *condition = parseDisjunction();
    if (failed_)
      return nullptr;
    if (!acceptKeyword("else"))
      return expected("`else`"), nullptr;
    AstExpr *otherwise = parseExpression();
    if (failed_)
      return nullptr;
    return make(AstExprKind::IfExp, spanSince(start), {value, condition, otherwise});
  }

  AstExpr *parseLambda() {
    ir::Span start = advance().span;
    while (!atOperator(":") && !at(TokenKind::Newline) && !at(TokenKind::EndOfFile))
      advance();
    if (!expectOperator(":"))
      return nullptr;
    parseExpression();
    if (failed_)
      return nullptr;
    diags_.report(DiagnosticKind::UnsupportedExpression, spanSince(start),
                  {"a lambda expression", "lambda", "define a named function with `def` instead"});
    return unsupportedExpression(spanSince(start), "lambda");
  }

  // disjunction: conjunction ('or' conjunction)*;  conjunction: inversion ('and' inversion)*
  AstExpr *parseDisjunction() { return parseBoolOp("or"); }
  AstExpr *parseConjunction() { return parseBoolOp("and"); }
  AstExpr *parseBoolOp(const char *op) {
    ir::Span start = peek().span;
    bool isOr = std::string(op) == "or";
    AstExpr *first = isOr ? parseConjunction() : parseInversion();
    if (failed_ || !atKeyword(op))
      return first;
    std::vector<AstExpr *> operands = {first};
    while (acceptKeyword(op)) {
      operands.push_back(isOr ? parseConjunction() : parseInversion());
      if (failed_)
        return nullptr;
    }
    AstExpr *node = make(AstExprKind::BoolOp, spanSince(start), std::move(operands));
    node->op = op;
    return node;
  }

  // inversion: 'not' inversion | comparison
  AstExpr *parseInversion() {
    if (!atKeyword("not"))
      return parseComparison();
    NestingGuard guard(*this);
    if (!guard.ok)
      return nullptr;
    ir::Span start = advance().span;
    AstExpr *operand = parseInversion();
    if (failed_)
      return nullptr;
    AstExpr *node = make(AstExprKind::Unary, spanSince(start), {operand});
    node->op = "not";
    return node;
  }

  // comparison: bitwise_or (compare_op bitwise_or)*
  AstExpr *parseComparison() {
    ir::Span start = peek().span;
    AstExpr *first = parseBitwiseOr();
    if (failed_)
      return nullptr;
    std::vector<AstExpr *> operands = {first};
    std::vector<std::string> ops;
    for (;;) {
      std::string op;
      static const char *const symbols[] = {"<", "<=", ">", ">=", "==", "!="};
      for (const char *symbol : symbols)
        if (atOperator(symbol))
          op = symbol;
      if (!op.empty()) {
        advance();
      } else if (atKeyword("in")) {
        advance();
        op = "in";
      } else if (atKeyword("not") && peek(1).isKeyword("in")) {
        advance();
        advance();
        op = "not in";
      } else if (atKeyword("is")) {
        advance();
        op = acceptKeyword("not") ? "is not" : "is";
      } else {
        break;
      }
      ops.push_back(op);
      operands.push_back(parseBitwiseOr());
      if (failed_)
        return nullptr;
    }
    if (ops.empty())
      return first;
    AstExpr *node = make(AstExprKind::Compare, spanSince(start), std::move(operands));
    node->compareOps = std::move(ops);
    return node;
  }

  // Left-associative binary levels, loosest first:
  //   bitwise_or '|', bitwise_xor '^', bitwise_and '&', shift '<<' '>>', sum '+' '-',
  //   term '*' '/' '//' '%' '@'
  AstExpr *parseBitwiseOr() { return parseBinaryLevel(0); }
  AstExpr *parseBinaryLevel(int level) {
    static const std::vector<std::vector<const char *>> levels = {
        {"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "//", "%", "@"}};
    if (level == static_cast<int>(levels.size()))
      return parseFactor();
    ir::Span start = peek().span;
    AstExpr *left = parseBinaryLevel(level + 1);
    while (!failed_) {
      const char *matched = nullptr;
      for (const char *op : levels[static_cast<size_t>(level)])
        if (atOperator(op))
          matched = op;
      if (!matched)
        break;
      advance();
      AstExpr *right = parseBinaryLevel(level + 1);
      if (failed_)
        return nullptr;
      left = make(AstExprKind::Binary, spanSince(start), {left, right});
      left->op = matched;
    }
    return failed_ ? nullptr : left;
  }

  // factor: ('+' | '-' | '~') factor | power
  AstExpr *parseFactor() {
    if (!atOperator("-") && !atOperator("+") && !atOperator("~"))
      return parsePower();
    NestingGuard guard(*this);
    if (!guard.ok)
      return nullptr;
    const Token &op = advance();
    ir::Span start = op.span;
    std::string spelling = op.text;
    AstExpr *operand = parseFactor();
    if (failed_)
      return nullptr;
    AstExpr *node = make(AstExprKind::Unary, spanSince(start), {operand});
    node->op = spelling;
    return node;
  }

  // power: await_primary ['**' factor]
  AstExpr *parsePower() {
    ir::Span start = peek().span;
    AstExpr *base = parsePrimary();
    if (failed_ || !atOperator("**"))
      return base;
    NestingGuard guard(*this);
    if (!guard.ok)
      return nullptr;
    advance();
    AstExpr *exponent = parseFactor();
    if (failed_)
      return nullptr;
    AstExpr *node = make(AstExprKind::Binary, spanSince(start), {base, exponent});
    node->op = "**";
    return node;
  }

  // primary: atom ('.' NAME | '(' arguments ')' | '[' slices ']')*
  AstExpr *parsePrimary() {
    ir::Span start = peek().span;
    if (atKeyword("await")) {
      error(DiagnosticKind::UnsupportedStatement, peek().span, {"await", "await expression"});
      return nullptr;
    }
    AstExpr *node = parseAtom();
    while (!failed_) {
      if (acceptOperator(".")) {
        if (!at(TokenKind::Name))
          return expected("an attribute name"), nullptr;
        std::string attribute = advance().text;
        node = make(AstExprKind::Attribute, spanSince(start), {node});
        node->text = attribute;
      } else if (atOperator("(")) {
        node = parseCall(node, start);
      } else if (atOperator("[")) {
        advance();
        AstExpr *index = parseSubscriptIndex();
        if (failed_ || !expectOperator("]"))
          return nullptr;
        node = make(AstExprKind::Subscript, spanSince(start), {node, index});
      } else {
        break;
      }
    }
    return failed_ ? nullptr : node;
  }

  // arguments: (expression | '*' expression | NAME '=' expression | '**' expression),* or a
  // single generator expression without its own parentheses
  AstExpr *parseCall(AstExpr *callee, ir::Span start) {
    advance();
    AstExpr *call = module_.makeExpr(AstExprKind::Call, start);
    call->children.push_back(callee);
    while (!atOperator(")") && !failed_) {
      ir::Span argumentStart = peek().span;
      if (at(TokenKind::Name) && peek(1).isOperator("=")) {
        std::string name = advance().text;
        advance();
        AstExpr *value = parseExpression();
        call->keywords.push_back({name, value, spanSince(argumentStart)});
      } else if (acceptOperator("**")) {
        AstExpr *value = parseExpression();
        call->keywords.push_back({"", value, spanSince(argumentStart)});
      } else {
        AstExpr *argument = parseStarOrNamed();
        if (!failed_ && atKeyword("for"))
          argument = parseComprehension(AstExprKind::GeneratorExp, argument, argumentStart);
        call->children.push_back(argument);
      }
      if (!acceptOperator(","))
        break;
    }
    if (failed_ || !expectOperator(")"))
      return nullptr;
    call->span = spanSince(start);
    return finish(call);
  }

  // slices: slice (',' slice)*;  slice: [expression] ':' [expression] [':' [expression]] | expression
  AstExpr *parseSubscriptIndex() {
    ir::Span start = peek().span;
    std::vector<AstExpr *> items = {parseSliceItem()};
    if (!atOperator(","))
      return items[0];
    while (!failed_ && acceptOperator(",") && !atOperator("]"))
      items.push_back(parseSliceItem());
    return failed_ ? nullptr : make(AstExprKind::Tuple, spanSince(start), std::move(items));
  }
  AstExpr *parseSliceItem() {
    ir::Span start = peek().span;
    AstExpr *lower = nullptr;
    if (!atOperator(":")) {
      lower = parseNamedExpression();
      if (failed_ || !atOperator(":"))
        return lower;
    }
    advance();
    AstExpr *upper = nullptr, *step = nullptr;
    if (!atOperator(":") && !atOperator("]") && !atOperator(","))
      upper = parseExpression();
    if (acceptOperator(":") && !atOperator("]") && !atOperator(","))
      step = parseExpression();
    if (failed_)
      return nullptr;
    return make(AstExprKind::Slice, spanSince(start), {lower, upper, step});
  }

  // for_if_clauses: ('for' star_targets 'in' disjunction ('if' disjunction)*)+
  AstExpr *parseComprehension(AstExprKind kind, AstExpr *element, ir::Span start) {
    AstExpr *node = module_.makeExpr(kind, start);
    node->children.push_back(element);
    while (!failed_ && (atKeyword("for") || (atKeyword("async") && peek(1).isKeyword("for")))) {
      AstComprehension clause;
      clause.isAsync = acceptKeyword("async");
      advance();
      clause.target = parseTargetList();
      if (failed_)
        return nullptr;
      if (!acceptKeyword("in"))
        return expected("`in`"), nullptr;
      clause.iterable = parseDisjunction();
      while (!failed_ && acceptKeyword("if"))
        clause.conditions.push_back(parseDisjunction());
      node->generators.push_back(clause);
    }
    if (failed_)
      return nullptr;
    node->span = spanSince(start);
    for (const AstComprehension &clause : node->generators) {
      node->children.push_back(clause.target); // only for the depth computation below
      node->children.push_back(clause.iterable);
      for (AstExpr *condition : clause.conditions)
        node->children.push_back(condition);
    }
    finish(node);
    node->children.resize(1);
    return node;
  }

  AstExpr *parseAtom() {
    const Token &token = peek();
    ir::Span span = token.span;
    switch (token.kind) {
    case TokenKind::Integer: {
      advance();
      AstExpr *node = make(AstExprKind::Integer, span);
      node->integerValue = token.integerValue;
      node->integerTooLarge = token.integerTooLarge;
      node->text = token.text;
      return node;
    }
    case TokenKind::Float: {
      advance();
      AstExpr *node = make(AstExprKind::Float, span);
      node->floatValue = token.floatValue;
      node->text = token.text;
      return node;
    }
    case TokenKind::String: return parseStrings();
    case TokenKind::Name: break;
    case TokenKind::Operator:
      if (token.text == "(")
        return parseParenthesized();
      if (token.text == "[")
        return parseList();
      if (token.text == "{")
        return parseBraces();
      if (token.text == "...") {
        advance();
        return make(AstExprKind::Ellipsis, span);
      }
      expected("an expression");
      return nullptr;
    default: expected("an expression"); return nullptr;
    }
    if (token.text == "True" || token.text == "False") {
      advance();
      AstExpr *node = make(AstExprKind::Bool, span);
      node->integerValue = token.text == "True";
      return node;
    }
    if (token.text == "None") {
      advance();
      return make(AstExprKind::NoneLiteral, span);
    }
    if (token.text == "yield") {
      error(DiagnosticKind::UnsupportedStatement, span, {"yield", "yield expression"});
      return nullptr;
    }
    if (isPythonKeyword(token.text)) {
      expected("an expression");
      return nullptr;
    }
    advance();
    AstExpr *node = make(AstExprKind::Name, span);
    node->text = token.text;
    return node;
  }

  // Adjacent string literals concatenate, as in Python.
  AstExpr *parseStrings() {
    ir::Span start = peek().span;
    AstExpr *node = make(AstExprKind::String, start);
    while (at(TokenKind::String)) {
      const Token &token = advance();
      node->text += token.stringValue;
      if (token.stringPrefix.find('f') != std::string::npos)
        node->op = "f";
      else if (token.stringPrefix.find('b') != std::string::npos && node->op.empty())
        node->op = "b";
    }
    node->span = spanSince(start);
    return node;
  }

  // '(' ')' | '(' yield ')' | '(' expression ')' | '(' star_named_expression ',' ... ')' | genexp
  AstExpr *parseParenthesized() {
    ir::Span start = advance().span;
    if (acceptOperator(")"))
      return make(AstExprKind::Tuple, spanSince(start));
    AstExpr *first = parseStarOrNamed();
    if (failed_)
      return nullptr;
    if (atKeyword("for")) {
      AstExpr *generator = parseComprehension(AstExprKind::GeneratorExp, first, start);
      if (failed_ || !expectOperator(")"))
        return nullptr;
      generator->span = spanSince(start);
      return generator;
    }
    if (acceptOperator(")")) {
      first->parenthesized = true;
      return first;
    }
    std::vector<AstExpr *> elements = {first};
    while (acceptOperator(",")) {
      if (atOperator(")"))
        break;
      elements.push_back(parseStarOrNamed());
      if (failed_)
        return nullptr;
    }
    if (!expectOperator(")"))
      return nullptr;
    AstExpr *tuple = make(AstExprKind::Tuple, spanSince(start), std::move(elements));
    tuple->parenthesized = true;
    return tuple;
  }

  // list: '[' [star_named_expressions] ']' | listcomp: '[' named_expression for_if_clauses ']'
  AstExpr *parseList() {
    ir::Span start = advance().span;
    std::vector<AstExpr *> elements;
    while (!atOperator("]") && !failed_) {
      elements.push_back(parseStarOrNamed());
      if (failed_)
        return nullptr;
      if (elements.size() == 1 && atKeyword("for")) {
        AstExpr *comprehension = parseComprehension(AstExprKind::ListComp, elements[0], start);
        if (failed_ || !expectOperator("]"))
          return nullptr;
        comprehension->span = spanSince(start);
        return comprehension;
      }
      if (!acceptOperator(","))
        break;
    }
    if (!expectOperator("]"))
      return nullptr;
    return make(AstExprKind::List, spanSince(start), std::move(elements));
  }

  // dict and set displays and comprehensions: parsed only far enough to name them
  AstExpr *parseBraces() {
    ir::Span start = advance().span;
    bool isDict = atOperator("}") || atOperator("**");
    bool isComprehension = false;
    int depth = 0;
    while (!at(TokenKind::EndOfFile)) {
      if (depth == 0 && atOperator("}"))
        break;
      if (atOperator("(") || atOperator("[") || atOperator("{"))
        ++depth;
      else if (atOperator(")") || atOperator("]") || atOperator("}"))
        --depth;
      else if (depth == 0 && atOperator(":") && !isComprehension)
        isDict = true;
      else if (depth == 0 && atKeyword("for"))
        isComprehension = true;
      advance();
    }
    if (!expectOperator("}"))
      return nullptr;
    std::string what = isDict ? "dict" : "set";
    std::string label = what + (isComprehension ? " comprehension" : " literal");
    ir::Span span = spanSince(start);
    diags_.report(DiagnosticKind::UnsupportedValue, span, {what, label});
    return unsupportedExpression(span, what);
  }

  const std::vector<Token> &tokens_;
  AstModule &module_;
  DiagnosticEngine &diags_;
  size_t position_ = 0;
  uint32_t nesting_ = 0;
  bool failed_ = false;
  std::vector<AstStmt *> functions_; // the definitions being parsed, innermost last
};

} // namespace

void parseModule(const std::vector<Token> &tokens, AstModule &module, DiagnosticEngine &diags) {
  if (tokens.empty())
    return;
  Parser(tokens, module, diags).parseFile();
}

} // namespace pyvc::frontend
