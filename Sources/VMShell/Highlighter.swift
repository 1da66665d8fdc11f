import VMLanguage

/// Colours the shell's output on a terminal: TLB hits green, misses yellow,
/// faults and errors red. It recolours known phrases of the text the
/// language layer prints, so that layer stays free of terminal concerns.
final class HighlightingSink: OutputSink {
    private let next: OutputSink

    static let reset = "\u{1B}[0m"
    static let rules: [(phrase: String, colour: String)] = [
        ("TLB hit", "\u{1B}[32m"),
        ("TLB miss", "\u{1B}[33m"),
        ("page fault", "\u{1B}[1;31m"),
        ("general protection fault", "\u{1B}[1;31m"),
        ("expect ok", "\u{1B}[32m"),
        ("expect failed", "\u{1B}[1;31m"),
        ("error:", "\u{1B}[1;31m"),
        ("note:", "\u{1B}[36m"),
    ]

    init(_ next: OutputSink) {
        self.next = next
    }

    static func highlight(_ text: String) -> String {
        var result = text
        for rule in rules where result.contains(rule.phrase) {
            result = result.replacingOccurrences(of: rule.phrase, with: rule.colour + rule.phrase + reset)
        }
        return result
    }

    func write(_ text: String) { next.write(Self.highlight(text)) }
    func writeDiagnostic(_ text: String) { next.writeDiagnostic(Self.highlight(text)) }
    func flush() { next.flush() }
}
