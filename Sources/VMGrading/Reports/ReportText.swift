/// Text helpers every report shares.
enum ReportText {
    /// Control characters a student's script may print (other than newline
    /// and tab) spelled out as `\u{1B}`: XML 1.0 and YAML forbid them raw,
    /// and a terminal would obey them.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value == 0x0A || value == 0x09 { return false }
        return value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || value == 0xFFFE || value == 0xFFFF
    }

    /// What a student may see of a test: hidden ones by number only.
    static func publicName(_ result: TestResult, showHidden: Bool) -> String {
        isShown(result, showHidden: showHidden) ? result.test.name : "hidden test \(result.test.number)"
    }

    /// Text, TAP and JUnit have no notion of "after the due date": only
    /// visible tests are shown in full there, unless the instructor asks.
    static func isShown(_ result: TestResult, showHidden: Bool) -> Bool {
        showHidden || result.test.visibility == .visible
    }

    /// 1234567 → "1,234,567", as xv6's grader prints times.
    static func grouped(_ number: UInt64) -> String {
        let digits = Array(String(number))
        var result = ""
        for (position, digit) in digits.enumerated() {
            if position > 0, (digits.count - position) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return result
    }

    /// The first line of a failure, for one-line summaries.
    static func headline(_ result: TestResult) -> String {
        if let reason = result.skipReason { return reason }
        if let error = result.error { return String(error.prefix { $0 != "\n" }) }
        if let failure = result.failures.first {
            if let got = failure.got, let expected = failure.expected {
                return "\(failure.label): got \(got), expected \(expected)"
            }
            return failure.label
        }
        return ""
    }
}
