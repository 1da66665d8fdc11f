/// How the shell and scripts show the integers a student asks for: addresses
/// and register values in hex, counts in decimal. `numbers hex` shows every
/// integer in hex, `numbers decimal` none; the default, `numbers auto`,
/// decides by what the expression is (a value computed from an address stays one).
public enum HexDisplay: String, Sendable, CaseIterable {
    case auto, on, off
}

enum NumberDisplay {
    /// Members that hold an address or a base register: `last.va`, `A.root`, `cpu.cr3`, …
    static let addressMembers: Set<String> = [
        "va", "pa", "root", "user_root", "cr2", "cr3", "ptbr", "satp", "stval", "far", "badvaddr", "ttbr0",
        "ttbr1", "pgd_current",
    ]
    /// Functions that return a page-table entry, whose bits a student reads in hex.
    static let addressFunctions: Set<String> = ["pte", "table_entry"]

    /// Whether `expression` computes an address or an entry: such a member or
    /// function, or one combined with `+ - | &` (`A.root + 8 * 3`).
    static func isAddress(_ expression: Expression) -> Bool {
        switch expression.kind {
        case .member(_, let name): return addressMembers.contains(name)
        case .call(let name, _): return addressFunctions.contains(name)
        case .binary(let op, let left, let right):
            switch op {
            case .add, .subtract, .bitwiseOr, .bitwiseAnd: return isAddress(left) || isAddress(right)
            default: return false
            }
        default: return false
        }
    }

    /// The value as shown: an integer in hex when `mode` and `isAddress` say so.
    static func text(_ value: Value, isAddress: Bool, mode: HexDisplay, quoted: Bool = false) -> String {
        if case .integer(let integer) = value, mode == .on || (mode == .auto && isAddress) {
            return "0x" + String(integer, radix: 16)
        }
        return quoted ? value.debugText : value.displayText
    }
}
