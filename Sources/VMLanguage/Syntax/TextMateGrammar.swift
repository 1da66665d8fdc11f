import Foundation

/// The TextMate grammar that editors (VS Code, Sublime, GitHub's
/// highlighter) read, made from the same tables the lexer and the command
/// registry use, so that highlighting never drifts from the language.
/// Grammar/vmlab.tmLanguage.json is this function's output; a test keeps it so.
public enum TextMateGrammar {
    public static func json(registry: CommandRegistry = .standard) -> String {
        let commands = registry.names.sorted()
        var words = Set<String>()
        for command in registry.commands {
            for parameter in command.parameters { if case .word(let choices) = parameter.kind { words.formUnion(choices) } }
            for option in command.options { if case .word(let choices) = option.kind { words.formUnion(choices) } }
        }
        let keywords = TokenKind.keywords.keys.filter { $0 != "true" && $0 != "false" }.sorted()
        func alternatives(_ names: [String]) -> String { names.map(NSRegularExpression.escapedPattern).joined(separator: "|") }
        let grammar: [String: Any] = [
            "name": "vmlab",
            "scopeName": "source.vmlab",
            "fileTypes": ["vml"],
            "patterns": [
                "comment", "string", "number", "boolean", "keyword", "command", "option", "builtin", "word", "member",
                "identifier", "operator", "punctuation",
            ].map { ["include": "#" + $0] },
            "repository": [
                "comment": ["match": "#.*$", "name": "comment.line.number-sign.vmlab"],
                "string": [
                    "begin": "\"", "end": "\"", "name": "string.quoted.double.vmlab",
                    "patterns": [
                        ["match": "\\\\(?:[ntr0\\\\\"]|u\\{[0-9A-Fa-f]+\\})", "name": "constant.character.escape.vmlab"]
                    ],
                ],
                // Decimal, hex and binary with _ separators, and a K/M/G size suffix.
                "number": [
                    "match": "\\b(?:0x[0-9A-Fa-f][0-9A-Fa-f_]*|0b[01][01_]*|[0-9][0-9_]*)[KMG]?\\b",
                    "name": "constant.numeric.vmlab",
                ],
                "boolean": ["match": "\\b(?:true|false)\\b", "name": "constant.language.boolean.vmlab"],
                "keyword": ["match": "\\b(?:\(alternatives(keywords)))\\b", "name": "keyword.control.vmlab"],
                // A command is the first word of a statement: at a line's start, or after { or ;.
                "command": [
                    "match": "(?:^|(?<=[{;]))\\s*(\(alternatives(commands)))\\b(?!\\s*=(?!=))",
                    "captures": ["1": ["name": "keyword.other.command.vmlab"]],
                ],
                "option": [
                    "match": "\\b([a-z_][a-z_0-9]*)(=)(?!=)",
                    "captures": [
                        "1": ["name": "variable.parameter.option.vmlab"], "2": ["name": "keyword.operator.assignment.vmlab"],
                    ],
                ],
                "builtin": [
                    "match": "\\b(?:\(alternatives(Builtins.reservedNames.sorted())))\\b", "name": "support.variable.vmlab",
                ],
                "word": ["match": "\\b(?:\(alternatives(words.sorted())))\\b", "name": "support.constant.vmlab"],
                "member": [
                    "match": "(\\.)([A-Za-z_][A-Za-z0-9_]*)",
                    "captures": ["1": ["name": "punctuation.accessor.vmlab"], "2": ["name": "variable.other.member.vmlab"]],
                ],
                "identifier": ["match": "\\b[A-Za-z_][A-Za-z0-9_]*\\b", "name": "variable.other.vmlab"],
                "operator": [
                    "match": "\\.\\.<|\\.\\.\\.|==|!=|<=|>=|<<|>>|[-+*/%&|^~<>=]", "name": "keyword.operator.vmlab",
                ],
                "punctuation": ["match": "[{}()\\[\\],;]", "name": "punctuation.separator.vmlab"],
            ],
        ]
        // Sorted keys: the same registry gives the same bytes.
        let data = try! JSONSerialization.data(withJSONObject: grammar, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
