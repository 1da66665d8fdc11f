/// A small JSON writer with a fixed key order and two-space indentation.
struct JSONWriter {
    private(set) var text = ""
    private var depth = 0
    private var needsComma = false
    private var afterKey = false

    private mutating func valueStart() {
        if afterKey {
            afterKey = false
            return
        }
        if needsComma { text += "," }
        if depth > 0 { text += "\n" + String(repeating: "  ", count: depth) }
    }

    mutating func key(_ name: String) {
        valueStart()
        text += Self.quoted(name) + ": "
        afterKey = true
        needsComma = true
    }

    mutating func field(_ name: String, string value: String) {
        key(name)
        string(value)
    }

    mutating func field(_ name: String, raw value: String) {
        key(name)
        raw(value)
    }

    mutating func beginObject() { open("{") }
    mutating func endObject() { close("}") }
    mutating func beginArray() { open("[") }
    mutating func endArray() { close("]") }

    private mutating func open(_ bracket: String) {
        valueStart()
        text += bracket
        depth += 1
        needsComma = false
    }

    private mutating func close(_ bracket: String) {
        depth -= 1
        if needsComma { text += "\n" + String(repeating: "  ", count: depth) }
        text += bracket
        needsComma = true
    }

    mutating func string(_ value: String) {
        valueStart()
        text += Self.quoted(value)
        needsComma = true
    }

    mutating func raw(_ value: String) {
        valueStart()
        text += value
        needsComma = true
    }

    static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
