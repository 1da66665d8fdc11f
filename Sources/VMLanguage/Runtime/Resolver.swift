/// Where a name lives at run time, decided once before the program runs.
public enum Binding: Equatable, Sendable {
    /// A slot of a scope `depth` scopes out from the running one.
    case local(depth: Int, slot: Int)
    /// A top-level name (or a built-in one, when no global holds it).
    case global(String)
}

/// What the resolver found: a binding for every use and declaration of a
/// name, and the size of every scope the running program will create.
public struct Resolution: Sendable {
    /// By the source offset where the use or declaration starts: a name or a
    /// call in an expression; a `let`, an assignment, a `for` (its loop
    /// variable) or a `def` (the function's name) statement.
    public internal(set) var bindings: [Int: Binding] = [:]
    /// Blocks that get a scope of their own, by the offset of their `{`: how
    /// many slots it has. Any other block keeps its names in the enclosing scope.
    public internal(set) var scopeSizes: [Int: Int] = [:]
    /// Slots of each function's frame (its parameters first), by the offset of its `def`.
    public internal(set) var frameSizes: [Int: Int] = [:]
    /// Slots of the scope a program's top-level blocks use.
    public internal(set) var topLevelSlots = 0
    /// Names that can never be defined when they are used.
    public internal(set) var diagnostics: [Diagnostic] = []
    /// Names the program binds at top level (`let`, `def`) or with a naming command anywhere.
    public internal(set) var declaredGlobals: Set<String> = []

    public func binding(at offset: Int) -> Binding? { bindings[offset] }
}

/// When a name nothing declares is an error.
public enum UnknownNames: Sendable {
    /// Before the program runs (`vmlab run`, `vmlab check`).
    case rejected
    /// In straight-line code; inside a function it may be defined by a later
    /// line before the function is called (the shell).
    case allowedInFunctions
    /// Never before running: the grader runs a tests file's pieces and a
    /// submission separately, so each may use the other's names.
    case allowed
}

/// Gives every name its place before the program runs, as Crafting
/// Interpreters' resolver does: a local gets a slot in a scope at a fixed
/// distance, everything else is a global found by its cell.
///
/// The scoping rules it implements are the language's: a block's `let` is
/// seen by the statements after it in that block (an earlier statement sees
/// the name from further out); a function body sees every name of the blocks
/// around its `def`, also those declared after it, since it runs later.
/// Top-level names are globals, looked up when used: a top-level statement
/// may name a global that a later line defines, and fails only if it runs
/// first. A name that nothing in the program (or the session so far) can
/// define is an error before running.
public struct Resolver {
    /// A scope the running program creates: a function's frame, a program's
    /// top-level scope, or a block that defines functions.
    private final class Frame {
        var slotCount = 0
    }

    /// One lexical block while it is being resolved.
    private struct Lexical {
        let frame: Frame
        var names: [String: (slot: Int, position: Int)] = [:]
        /// The index of the statement being resolved.
        var position = 0
        let isFunctionBody: Bool
    }

    private let registry: CommandRegistry
    private var unknownNames: UnknownNames
    private let isKnownGlobal: (String) -> Bool
    /// While grading a submission: whether a global belongs to the tests
    /// file, which the submission may read but not assign.
    private let isSealed: (String) -> Bool
    private var stack: [Lexical] = []
    private let topLevel = Frame()
    private var resolution = Resolution()
    /// Names the program binds at top level or with a naming command.
    private var declaredGlobals: Set<String> = []
    /// Blocks (by `{` offset) that contain a `def`: they need scopes of their own.
    private var blocksWithFunctions: Set<Int> = []

    /// Resolves a whole program. `isKnownGlobal` tells which globals earlier
    /// programs of the session declared.
    public static func resolve(
        _ statements: [Statement], registry: CommandRegistry, unknownNames: UnknownNames = .rejected,
        isKnownGlobal: @escaping (String) -> Bool = { _ in false }, isSealed: @escaping (String) -> Bool = { _ in false }
    ) -> Resolution {
        var resolver = Resolver(
            registry: registry, unknownNames: unknownNames, isKnownGlobal: isKnownGlobal, isSealed: isSealed)
        resolver.survey(statements, atTopLevel: true)
        for statement in statements { resolver.resolve(statement) }
        resolver.resolution.topLevelSlots = resolver.topLevel.slotCount
        resolver.resolution.declaredGlobals = resolver.declaredGlobals
        return resolver.resolution
    }

    /// The globals `statements` declare, without resolving them: a tests
    /// file's sealed names.
    public static func declaredGlobals(of statements: [Statement], registry: CommandRegistry) -> Set<String> {
        var resolver = Resolver(
            registry: registry, unknownNames: .allowed, isKnownGlobal: { _ in false }, isSealed: { _ in false })
        resolver.survey(statements, atTopLevel: true)
        return resolver.declaredGlobals
    }

    private init(
        registry: CommandRegistry, unknownNames: UnknownNames, isKnownGlobal: @escaping (String) -> Bool,
        isSealed: @escaping (String) -> Bool
    ) {
        self.registry = registry
        self.unknownNames = unknownNames
        self.isKnownGlobal = isKnownGlobal
        self.isSealed = isSealed
    }

    // MARK: Survey

    /// Finds what must be known before resolving: the globals the program
    /// declares, the blocks that define functions, and whether the program
    /// runs other files (whose names cannot be known until they run).
    /// Returns whether `statements` contain a `def`.
    @discardableResult
    private mutating func survey(_ statements: [Statement], atTopLevel: Bool) -> Bool {
        var definesFunctions = false
        for statement in statements {
            switch statement.kind {
            case .letBinding(let name, _):
                if atTopLevel { declaredGlobals.insert(name) }
            case .functionDeclaration(let declaration):
                definesFunctions = true
                if atTopLevel { declaredGlobals.insert(declaration.name) }
                _ = survey(declaration.body)
            case .ifElse(let arms, let elseBlock):
                for arm in arms where survey(arm.body) { definesFunctions = true }
                if let elseBlock, survey(elseBlock) { definesFunctions = true }
            case .forIn(_, _, let body), .whileLoop(_, let body), .repeatLoop(_, let body), .block(let body):
                if survey(body) { definesFunctions = true }
            case .command(let call):
                if call.command.name == "include" || call.command.name == "submission" { unknownNames = .allowed }
                for (argument, parameter) in zip(call.arguments, Self.parameters(of: call)) where parameter.binds {
                    if case .name(let name, _) = argument { declaredGlobals.insert(name) }
                }
                if let block = call.block, survey(block) { definesFunctions = true }
            case .assignment, .returnValue, .expression:
                break
            }
        }
        return definesFunctions
    }

    private mutating func survey(_ block: Block) -> Bool {
        let defines = survey(block.statements, atTopLevel: false)
        if defines { blocksWithFunctions.insert(block.range.start) }
        return defines
    }

    /// The parameter each argument of `call` was read for.
    private static func parameters(of call: CommandCall) -> [ParameterSpec] {
        var parameters: [ParameterSpec] = []
        var index = 0
        let specs = call.command.parameters
        for _ in call.arguments where index < specs.count {
            parameters.append(specs[index])
            if !specs[index].isVariadic { index += 1 }
        }
        return parameters
    }

    // MARK: Blocks

    private var currentFrame: Frame { stack.last?.frame ?? topLevel }

    /// Resolves a block's statements in a lexical scope of their own.
    /// `predeclared` names (a loop variable, parameters) are seen by every statement.
    private mutating func resolve(_ block: Block, predeclared: [String] = [], functionFrame: Frame? = nil) {
        let ownsScope = functionFrame != nil || blocksWithFunctions.contains(block.range.start)
        let frame = functionFrame ?? (ownsScope ? Frame() : currentFrame)
        var lexical = Lexical(frame: frame, isFunctionBody: functionFrame != nil)
        func declare(_ name: String, at position: Int) {
            guard lexical.names[name] == nil else { return }
            lexical.names[name] = (frame.slotCount, position)
            frame.slotCount += 1
        }
        for name in predeclared { declare(name, at: -1) }
        for (position, statement) in block.statements.enumerated() {
            switch statement.kind {
            case .letBinding(let name, _): declare(name, at: position)
            case .functionDeclaration(let declaration): declare(declaration.name, at: position)
            default: break
            }
        }
        stack.append(lexical)
        for (position, statement) in block.statements.enumerated() {
            stack[stack.count - 1].position = position
            resolve(statement)
        }
        stack.removeLast()
        if ownsScope && functionFrame == nil { resolution.scopeSizes[block.range.start] = frame.slotCount }
    }

    /// The slot a declaration in the current block takes (nil at top level: a global).
    private func declaredSlot(_ name: String) -> Binding {
        guard let lexical = stack.last, let entry = lexical.names[name] else { return .global(name) }
        return .local(depth: 0, slot: entry.slot)
    }

    // MARK: Statements

    private mutating func resolve(_ statement: Statement) {
        let key = statement.range.start
        switch statement.kind {
        case .letBinding(let name, let expression):
            resolve(expression)
            resolution.bindings[key] = declaredSlot(name)
        case .assignment(let name, let expression):
            resolve(expression)
            if let binding = lookUp(name, at: statement.range, notes: ["declare it first: let \(name) = …"]) {
                if case .global = binding, !declaredGlobals.contains(name), isSealed(name) {
                    resolution.diagnostics.append(
                        Diagnostic(
                            "'\(name)' belongs to the tests file: a submission can read it but not change it",
                            at: statement.range,
                            notes: ["'let \(name) = …' makes a name of the submission's own, which the tests do not read"]))
                }
                resolution.bindings[key] = binding
            }
        case .ifElse(let arms, let elseBlock):
            for arm in arms {
                resolve(arm.condition)
                resolve(arm.body)
            }
            if let elseBlock { resolve(elseBlock) }
        case .forIn(let name, let sequence, let body):
            resolve(sequence)
            // The loop variable is the body's first name: slot 0 of its own
            // scope, or the next slot of the scope the body shares.
            let ownsScope = blocksWithFunctions.contains(body.range.start)
            let slot = ownsScope ? 0 : currentFrame.slotCount
            resolution.bindings[key] = .local(depth: 0, slot: slot)
            resolve(body, predeclared: [name])
        case .whileLoop(let condition, let body), .repeatLoop(let condition, let body):
            resolve(condition)
            resolve(body)
        case .functionDeclaration(let declaration):
            resolution.bindings[key] = declaredSlot(declaration.name)
            let frame = Frame()
            resolve(declaration.body, predeclared: declaration.parameters, functionFrame: frame)
            resolution.frameSizes[declaration.range.start] = frame.slotCount
        case .returnValue(let expression):
            if let expression { resolve(expression) }
        case .block(let block):
            resolve(block)
        case .command(let call):
            for argument in call.arguments {
                if case .expression(let expression) = argument { resolve(expression) }
            }
            for option in call.options {
                if case .expression(let expression) = option.value { resolve(expression) }
            }
            if let block = call.block { resolve(block) }
        case .expression(let expression):
            resolve(expression)
        }
    }

    // MARK: Expressions

    private mutating func resolve(_ expression: Expression) {
        switch expression.kind {
        case .integer, .string, .boolean:
            break
        case .name(let name):
            if let binding = lookUp(name, at: expression.range) {
                resolution.bindings[expression.range.start] = binding
            }
        case .unary(_, let operand), .member(let operand, _):
            resolve(operand)
        case .binary(_, let left, let right), .index(let left, let right):
            resolve(left)
            resolve(right)
        case .call(let name, let arguments):
            for argument in arguments { resolve(argument) }
            if let binding = lookUp(name, at: expression.range, isCall: true) {
                resolution.bindings[expression.range.start] = binding
            }
        }
    }

    /// The binding `name` has here, or nil after recording why it has none.
    private mutating func lookUp(
        _ name: String, at range: SourceRange, notes extraNotes: [String] = [], isCall: Bool = false
    ) -> Binding? {
        var depth = 0
        var frame = currentFrame
        var insideFunction = false
        for lexical in stack.reversed() {
            if lexical.frame !== frame {
                depth += 1
                frame = lexical.frame
            }
            // Straight-line code sees the names declared above it; a function
            // body runs later and sees all of its surrounding blocks' names.
            if let entry = lexical.names[name], insideFunction || entry.position < lexical.position {
                return .local(depth: depth, slot: entry.slot)
            }
            if lexical.isFunctionBody { insideFunction = true }
        }
        let builtin = isCall ? (Builtins.functions[name] != nil) : BuiltinName(rawValue: name) != nil
        if builtin || declaredGlobals.contains(name) || isKnownGlobal(name) { return .global(name) }
        switch unknownNames {
        case .allowed: return .global(name)
        case .allowedInFunctions where stack.contains(where: \.isFunctionBody): return .global(name)
        case .allowedInFunctions, .rejected: break
        }
        resolution.diagnostics.append(unknownName(name, at: range, isCall: isCall, notes: extraNotes))
        return nil
    }

    private func unknownName(_ name: String, at range: SourceRange, isCall: Bool, notes extraNotes: [String])
        -> Diagnostic
    {
        var visible = Set(declaredGlobals)
        for lexical in stack { visible.formUnion(lexical.names.keys) }
        var notes = extraNotes
        // The name exists, further down its block: say so instead of suggesting it.
        if visible.contains(name) {
            notes.append("'\(name)' is declared further down; a statement sees only the names declared above it")
            return Diagnostic(isCall ? "no function named '\(name)' yet" : "'\(name)' is not defined yet", at: range, notes: notes)
        }
        if isCall {
            if let suggestion = closestMatch(to: name, in: Builtins.functionNames + visible.sorted()) {
                notes.append("did you mean '\(suggestion)'?")
            }
            return Diagnostic("no function named '\(name)'", at: range, notes: notes)
        }
        if let suggestion = closestMatch(to: name, in: visible.sorted() + Builtins.reservedNames) {
            notes.append("did you mean '\(suggestion)'?")
        } else if let command = closestMatch(to: name, in: registry.names) {
            notes.append("'\(command)' is a command; commands start a line")
        }
        return Diagnostic("'\(name)' is not defined", at: range, notes: notes)
    }
}
