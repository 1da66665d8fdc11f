/// Charts for `plot`, in characters: a bar per point, or a line of block
/// heights per series. Integer arithmetic only, so every platform prints the
/// same; plain ASCII when the output cannot show Unicode blocks.
enum ChartRenderer {
    static let width = 40

    static func render(
        _ series: [(name: String, points: [(x: UInt64, y: UInt64)])], title: String?, lines: Bool, unicode: Bool
    ) -> String {
        var text = title.map { $0 + "\n" } ?? ""
        let maximum = series.flatMap { $0.points.map(\.y) }.max() ?? 0
        if lines {
            let xs = Array(Set(series.flatMap { $0.points.map(\.x) })).sorted()
            let nameWidth = series.map(\.name.count).max() ?? 0
            for (name, points) in series {
                var cells = ""
                for x in xs {
                    guard let point = points.last(where: { $0.x == x }) else {
                        cells += " "
                        continue
                    }
                    cells += level(point.y, of: maximum, unicode: unicode)
                }
                let values = points.map { String($0.y) }.joined(separator: " ")
                text += "  " + Format.padRight(name, nameWidth) + " |" + cells + "|  " + values + "\n"
            }
            text += "  " + String(repeating: " ", count: nameWidth) + "  x: " + xs.map(String.init).joined(separator: " ")
                + " (max y \(maximum))\n"
            return text
        }
        for (name, points) in series {
            if series.count > 1 { text += name + ":\n" }
            let labelWidth = points.map { String($0.x).count }.max() ?? 1
            for (x, y) in points {
                text += "  " + Format.padLeft(String(x), labelWidth) + " |" + bar(y, of: maximum, unicode: unicode) + " " + String(y) + "\n"
            }
        }
        return text
    }

    /// A bar `width` characters long at the maximum, in eighths of a character.
    static func bar(_ value: UInt64, of maximum: UInt64, unicode: Bool) -> String {
        guard maximum > 0 else { return "" }
        // Full width: value × 320 may not fit in 64 bits; the quotient does (value ≤ maximum).
        let eighths = Int(maximum.dividingFullWidth(value.multipliedFullWidth(by: UInt64(width * 8))).quotient)
        guard unicode else { return String(repeating: "#", count: (eighths + 4) / 8) }
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return String(repeating: "█", count: eighths / 8) + partial[eighths % 8]
    }

    /// One character for a value's height: ▁ … █, or 1 … 8 in ASCII.
    static func level(_ value: UInt64, of maximum: UInt64, unicode: Bool) -> String {
        // value × 7 rounded to the nearest step, in full width so no value can overflow.
        let steps = maximum == 0 ? 0 : Int(maximum.dividingFullWidth(value.multipliedFullWidth(by: 14)).quotient + 1) / 2
        return unicode ? ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"][steps] : String(steps + 1)
    }
}
