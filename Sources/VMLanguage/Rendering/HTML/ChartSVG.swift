/// A `plot` as an SVG chart: horizontal bars (a group per x, a bar per
/// series) or lines over evenly spaced x values, as the terminal chart
/// draws them, with the values written on. Integer coordinates only.
enum ChartSVG {
    static let palette = ["#3b6fb6", "#d9822b", "#3f9c5a", "#b8475a", "#7a5cb8", "#6b7b8c"]
    static let characterWidth = 7

    static func render(_ chart: ChartPicture) -> String {
        chart.lines ? lines(chart) : bars(chart)
    }

    static func header(width: Int, height: Int, label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(width)\" height=\"\(height)\""
            + " viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTML.escape(label))\">\n"
    }

    /// value / maximum of `length`, in full width so that no value overflows.
    static func scale(_ value: UInt64, _ maximum: UInt64, _ length: Int) -> Int {
        guard maximum > 0 else { return 0 }
        return Int(maximum.dividingFullWidth(value.multipliedFullWidth(by: UInt64(length))).quotient)
    }

    static func title(_ chart: ChartPicture) -> String {
        chart.title ?? chart.series.map(\.name).joined(separator: ", ")
    }

    static func bars(_ chart: ChartPicture) -> String {
        let maximum = chart.series.flatMap { $0.points.map(\.y) }.max() ?? 0
        let xs = orderedXs(chart)
        let labelWidth = (xs.map { String($0).count }.max() ?? 1) * characterWidth + 10
        let barLength = 360
        let barHeight = 14
        let groupHeight = chart.series.count * (barHeight + 2) + 8
        let top = 34
        let width = max(
            labelWidth + barLength + 24 + (String(maximum).count + 1) * characterWidth + 12, decorationWidth(chart))
        let height = top + xs.count * groupHeight + legendHeight(chart) + 10
        var svg = header(width: width, height: height, label: title(chart))
        svg += "<text class=\"chart-title\" x=\"8\" y=\"20\">\(HTML.escape(title(chart)))</text>\n"
        svg += "<line class=\"axis\" x1=\"\(labelWidth)\" y1=\"\(top - 4)\" x2=\"\(labelWidth)\" y2=\"\(top + xs.count * groupHeight)\"/>\n"
        for (row, x) in xs.enumerated() {
            let groupY = top + row * groupHeight
            svg += "<text class=\"tick\" x=\"\(labelWidth - 6)\" y=\"\(groupY + groupHeight / 2 + 2)\" text-anchor=\"end\">\(x)</text>\n"
            for (number, series) in chart.series.enumerated() {
                guard let point = series.points.last(where: { $0.x == x }) else { continue }
                let y = groupY + number * (barHeight + 2)
                let length = scale(point.y, maximum, barLength)
                svg += "<rect class=\"bar\" x=\"\(labelWidth + 1)\" y=\"\(y)\" width=\"\(length)\" height=\"\(barHeight)\""
                    + " fill=\"\(color(number))\"><title>\(HTML.escape(series.name)): x \(x), y \(point.y)</title></rect>"
                svg += "<text class=\"value\" x=\"\(labelWidth + length + 6)\" y=\"\(y + barHeight - 3)\">\(point.y)</text>\n"
            }
        }
        svg += legend(chart, y: top + xs.count * groupHeight + 8)
        return svg + "</svg>\n"
    }

    static func lines(_ chart: ChartPicture) -> String {
        let maximum = chart.series.flatMap { $0.points.map(\.y) }.max() ?? 0
        let xs = orderedXs(chart)
        let left = (String(maximum).count + 1) * characterWidth + 12
        let minimumStep = max(40, (xs.map { String($0).count }.max() ?? 1) * characterWidth + 14)
        let plotHeight = 200
        let top = 34
        let width = max(left + max(1, xs.count - 1) * minimumStep + 60, decorationWidth(chart), 360)
        // The points spread over the whole width, however few there are.
        let step = (width - left - 60) / max(1, xs.count - 1)
        let height = top + plotHeight + 30 + legendHeight(chart) + 10
        let bottom = top + plotHeight
        var svg = header(width: width, height: height, label: title(chart))
        svg += "<text class=\"chart-title\" x=\"8\" y=\"20\">\(HTML.escape(title(chart)))</text>\n"
        for fraction in [0, 1, 2] {
            let value = maximum / 2 * UInt64(fraction) + (fraction == 2 ? maximum % 2 : 0)
            let y = bottom - scale(value, maximum, plotHeight)
            svg += "<line class=\"grid\" x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - 20)\" y2=\"\(y)\"/>"
            svg += "<text class=\"tick\" x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(value)</text>\n"
        }
        for (position, x) in xs.enumerated() {
            svg += "<text class=\"tick\" x=\"\(left + position * step)\" y=\"\(bottom + 18)\" text-anchor=\"middle\">\(x)</text>\n"
        }
        for (number, series) in chart.series.enumerated() {
            var points: [String] = []
            var dots = ""
            for (position, x) in xs.enumerated() {
                guard let point = series.points.last(where: { $0.x == x }) else { continue }
                let px = left + position * step
                let py = bottom - scale(point.y, maximum, plotHeight)
                points.append("\(px),\(py)")
                dots += "<circle cx=\"\(px)\" cy=\"\(py)\" r=\"3\" fill=\"\(color(number))\"><title>\(HTML.escape(series.name)): x \(x), y \(point.y)</title></circle>"
            }
            svg += "<polyline class=\"line\" fill=\"none\" stroke=\"\(color(number))\" points=\"\(points.joined(separator: " "))\"/>\(dots)\n"
        }
        svg += legend(chart, y: bottom + 30)
        return svg + "</svg>\n"
    }

    /// Every x any series has, in increasing order.
    static func orderedXs(_ chart: ChartPicture) -> [UInt64] {
        Array(Set(chart.series.flatMap { $0.points.map(\.x) })).sorted()
    }

    static func color(_ number: Int) -> String { palette[number % palette.count] }

    /// Room for the title and the legend, which may be wider than the plot.
    static func decorationWidth(_ chart: ChartPicture) -> Int {
        let titleWidth = title(chart).count * 8 + 16
        let legendWidth = chart.series.reduce(8) { $0 + 18 + $1.name.count * characterWidth + 20 }
        return max(titleWidth, chart.series.count > 1 ? legendWidth : 0)
    }

    static func legendHeight(_ chart: ChartPicture) -> Int { chart.series.count > 1 ? 20 : 0 }

    static func legend(_ chart: ChartPicture, y: Int) -> String {
        guard chart.series.count > 1 else { return "" }
        var text = ""
        var x = 8
        for (number, series) in chart.series.enumerated() {
            text += "<rect x=\"\(x)\" y=\"\(y)\" width=\"12\" height=\"12\" fill=\"\(color(number))\"/>"
            text += "<text class=\"legend\" x=\"\(x + 18)\" y=\"\(y + 10)\">\(HTML.escape(series.name))</text>\n"
            x += 18 + series.name.count * characterWidth + 20
        }
        return text
    }
}
