/// Expressions by precedence climbing (a Pratt parser). Precedence follows
/// Swift: shifts bind tightest, then `* / % &`, then `+ - | ^`, then ranges,
/// then comparisons, `and`, `or`. Comparisons and ranges do not chain.
///
/// Whitespace decides what an operator is, as in Swift: with space on both
/// sides or on neither it is infix (`a - b`, `a-b`); with space only before it
/// is prefix and starts the next command argument (`write X -1` has two
/// arguments); space only after is an error. Calls, indexing and member
/// access need no space before `(`, `[` and `.`.
extension Parser {
    private enum Associativity {
        case left
        case none
    }

    private static func infix(_ kind: TokenKind) -> (BinaryOperator, Int, Associativity)? {
        switch kind {
        case .or: return (.or, 1, .left)
        case .and: return (.and, 2, .left)
        case .equal: return (.equal, 3, .none)
        case .notEqual: return (.notEqual, 3, .none)
        case .less: return (.less, 3, .none)
        case .lessEqual: return (.lessEqual, 3, .none)
        case .greater: return (.greater, 3, .none)
        case .greaterEqual: return (.greaterEqual, 3, .none)
        case .halfOpenRange: return (.halfOpenRange, 4, .none)
        case .closedRange: return (.closedRange, 4, .none)
        case .plus: return (.add, 5, .left)
        case .minus: return (.subtract, 5, .left)
        case .pipe: return (.bitwiseOr, 5, .left)
        case .caret: return (.bitwiseXor, 5, .left)
        case .star: return (.multiply, 6, .left)
        case .slash: return (.divide, 6, .left)
        case .percent: return (.remainder, 6, .left)
        case .ampersand: return (.bitwiseAnd, 6, .left)
        case .shiftLeft: return (.shiftLeft, 7, .left)
        case .shiftRight: return (.shiftRight, 7, .left)
        default: return nil
        }
    }

    /// `not` applies to a whole comparison: `not a == b` is `not (a == b)`.
    private static let notPrecedence = 3

    /// Whether a token with whitespace before and none after is read as prefix.
    private static func isPrefixCapable(_ kind: TokenKind) -> Bool {
        kind == .minus || kind == .tilde
    }

    func spaceAfter(_ index: Int) -> Bool {
        let next = tokens[min(index + 1, tokens.count - 1)]
        return next.spaceBefore || next.kind == .newline || next.kind == .endOfInput
    }

    /// Whether `token` (right after `previous`) would continue an expression
    /// rather than start a new argument.
    /// `index` is the token's position in `tokens`.
    func startsInfixOrPostfix(_ token: Token, at index: Int) -> Bool {
        switch token.kind {
        case .dot, .leftParen, .leftBracket: return !token.spaceBefore
        case .and, .or: return true
        default:
            guard Self.infix(token.kind) != nil else { return false }
            return !(token.spaceBefore && !spaceAfter(index) && Self.isPrefixCapable(token.kind))
        }
    }

    /// expression = unary { INFIX_OP unary } ;   (by the precedence table)
    mutating func expression(minimumPrecedence: Int = 1) throws -> Expression {
        let start = current
        try enterNesting(at: start)
        defer { nesting -= 1 }
        var left = try unary()
        while let (op, precedence, associativity) = Self.infix(current.kind), precedence >= minimumPrecedence {
            let operatorToken = current
            if operatorToken.kind != .and && operatorToken.kind != .or {
                let before = operatorToken.spaceBefore
                let after = spaceAfter(position)
                if before && !after {
                    if Self.isPrefixCapable(operatorToken.kind) { break }  // starts the next argument
                    throw error(
                        "\(operatorToken.kind.spelling) needs whitespace on both sides or on neither",
                        at: operatorToken)
                }
                if !before && after {
                    throw error(
                        "\(operatorToken.kind.spelling) needs whitespace on both sides or on neither",
                        at: operatorToken)
                }
            }
            advance()
            let right = try expression(
                minimumPrecedence: associativity == .left ? precedence + 1 : precedence + 1)
            left = try bounded(Expression(kind: .binary(op, left, right), range: left.range.to(right.range)), at: operatorToken)
            if associativity == .none, let (next, nextPrecedence, _) = Self.infix(current.kind),
                nextPrecedence == precedence
            {
                throw error(
                    "'\(op.rawValue)' and '\(next.rawValue)' cannot be chained; add parentheses",
                    at: current)
            }
        }
        return left
    }

    /// Chains built in a loop (`1 + 1 + …`, `a.b.c…`, `x[1][2]…`) deepen the
    /// tree without deepening the parser; this bounds the tree, so that
    /// evaluating it stays within the native stack.
    private mutating func bounded(_ expression: Expression, at token: Token) throws -> Expression {
        guard expression.depth <= Self.maximumExpressionDepth else {
            throw error(
                "this expression is nested more than \(Self.maximumExpressionDepth) levels deep "
                    + "(each operator of a chain counts one); split it with let", at: token)
        }
        return expression
    }

    /// unary = ( "-" | "~" | "not" ) unary | postfix ;
    private mutating func unary() throws -> Expression {
        let start = current
        switch start.kind {
        case .minus, .tilde:
            advance()
            try enterNesting(at: start)
            defer { nesting -= 1 }
            let operand = try unary()
            let op: UnaryOperator = start.kind == .minus ? .negate : .bitwiseNot
            return Expression(kind: .unary(op, operand), range: range(of: start).to(operand.range))
        case .not:
            advance()
            let operand = try expression(minimumPrecedence: Self.notPrecedence)
            return Expression(kind: .unary(.not, operand), range: range(of: start).to(operand.range))
        default:
            return try postfix()
        }
    }

    /// postfix = primary { "." NAME | "[" expression "]" | "(" arguments ")" } ;
    private mutating func postfix() throws -> Expression {
        var value = try primary()
        while !current.spaceBefore {
            switch current.kind {
            case .dot:
                advance()
                guard check(.identifier) else {
                    throw error("expected a member name after '.', found \(describe(current))", at: current)
                }
                let member = advance()
                value = try bounded(
                    Expression(kind: .member(value, text(member)), range: value.range.to(range(of: member))), at: member)
            case .leftBracket:
                let open = advance()
                let index = try expression()
                guard check(.rightBracket) else {
                    let line = range(of: open).position.line
                    throw error("expected ']' to close the '[' at line \(line), found \(describe(current))", at: current)
                }
                let close = advance()
                value = try bounded(Expression(kind: .index(value, index), range: value.range.to(range(of: close))), at: open)
            case .leftParen:
                guard case .name(let name) = value.kind else {
                    throw error("only a function name can be called", at: current)
                }
                let open = advance()
                var arguments: [Expression] = []
                if !check(.rightParen) {
                    repeat { arguments.append(try expression()) } while match(.comma)
                }
                guard check(.rightParen) else {
                    let line = range(of: open).position.line
                    throw error("expected ')' to close the '(' at line \(line), found \(describe(current))", at: current)
                }
                let close = advance()
                value = Expression(kind: .call(name, arguments), range: value.range.to(range(of: close)))
            default:
                return value
            }
        }
        return value
    }

    /// primary = INTEGER | STRING | "true" | "false" | NAME | "(" expression ")" ;
    private mutating func primary() throws -> Expression {
        let token = current
        switch token.kind {
        case .integer:
            advance()
            return Expression(kind: .integer(stream.integer(of: token)), range: range(of: token))
        case .string:
            advance()
            return Expression(kind: .string(text(token)), range: range(of: token))
        case .true, .false:
            advance()
            return Expression(kind: .boolean(token.kind == .true), range: range(of: token))
        case .identifier:
            if registry.command(named: text(token)) != nil {
                throw error("'\(text(token))' is a command; a command starts a statement", at: token)
            }
            advance()
            return Expression(kind: .name(text(token)), range: range(of: token))
        case .leftParen:
            advance()
            let inner = try expression()
            guard check(.rightParen) else {
                let line = range(of: token).position.line
                throw error("expected ')' to close the '(' at line \(line), found \(describe(current))", at: current)
            }
            advance()
            return Expression(kind: inner.kind, range: range(from: token))
        default:
            throw error("expected an expression, found \(describe(token))", at: token)
        }
    }
}
