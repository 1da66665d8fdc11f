/// A figure as one standalone SVG document, for a front end that shows
/// images rather than pages (a notebook's image/svg+xml output): the
/// report's page-table and chart pictures with the report's SVG rules inside
/// them, and a TLB drawn as a grid of cells.
extension Figure {
    public var svg: String {
        let picture: String
        switch content {
        case .pageTables(let graph): picture = PageTableSVG.render(graph)
        case .chart(let chart): picture = ChartSVG.render(chart)
        case .tlb(let tlb): picture = TLBGridSVG.render(tlb)
        }
        // The report styles its pictures from the page; standalone, the rules go inside.
        guard let end = picture.range(of: ">\n") else { return picture }
        return String(picture[..<end.upperBound]) + "<style>\n\(Self.svgRules)</style>\n" + picture[end.upperBound...]
    }

    /// The report's rules for SVG elements, without their `svg ` prefix.
    static let svgRules: String = HTMLReportSink.style.split(separator: "\n")
        .map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { $0.hasPrefix("svg ") }
        .map { $0.replacingOccurrences(of: "svg ", with: "") + "\n" }
        .joined()
}

/// A TLB as an SVG grid: a row per set (at most 32: fuller arrays show the
/// sets that hold something), a column per way, each valid entry with its
/// page, frame and tag, an invalid way blank.
enum TLBGridSVG {
    static let cellWidth = 150
    static let cellHeight = 34
    static let maximumRows = 32

    static func render(_ picture: TLBPicture) -> String {
        var body = ""
        var y = 24
        var width = 300
        body += "<text class=\"title\" x=\"8\" y=\"16\">\(HTML.escape(picture.title))</text>\n"
        for array in picture.arrays {
            var rows = Array(0..<array.sets)
            if array.sets > maximumRows && array.book == nil {
                rows = rows.filter { set in (0..<array.ways).contains { array.cells[set * array.ways + $0] != nil } }
                rows = Array(rows.prefix(maximumRows))
            }
            let valid = array.book.map { $0.filter(\.valid).count } ?? array.cells.compactMap { $0 }.count
            y += 16
            body += "<text x=\"8\" y=\"\(y)\">\(HTML.escape(array.name)): \(array.sets) sets × \(array.ways) ways, \(valid) valid</text>\n"
            y += 8
            width = max(width, 60 + array.ways * cellWidth + 8)
            for set in rows {
                body += "<text class=\"tick\" x=\"8\" y=\"\(y + 20)\">set \(set)</text>\n"
                for way in 0..<array.ways {
                    let x = 60 + way * cellWidth
                    if let book = array.book, set * array.ways + way < book.count {
                        // A textbook TLB: every way, valid or not, as the book's table.
                        let cell = book[set * array.ways + way]
                        body += "<rect class=\"\(cell.valid ? "table" : "frame")\" x=\"\(x)\" y=\"\(y)\" width=\"\(cellWidth - 4)\" height=\"\(cellHeight - 4)\"/>\n"
                        body += "<text x=\"\(x + 4)\" y=\"\(y + 13)\">tag \(HTML.escape(cell.tag)) PPN \(HTML.escape(cell.ppn))</text>\n"
                        body += "<text class=\"value\" x=\"\(x + 4)\" y=\"\(y + 26)\">valid \(cell.valid ? 1 : 0)</text>\n"
                        continue
                    }
                    guard set * array.ways + way < array.cells.count else { continue }
                    let cell = array.cells[set * array.ways + way]
                    body += "<rect class=\"\(cell == nil ? "frame" : "table")\" x=\"\(x)\" y=\"\(y)\" width=\"\(cellWidth - 4)\" height=\"\(cellHeight - 4)\"/>\n"
                    if let cell {
                        let tag = cell.tag.map { " \(picture.tagName) \($0)" } ?? ""
                        body += "<text x=\"\(x + 4)\" y=\"\(y + 13)\">\(Format.hex(cell.page)) → \(Format.hex(cell.frame))</text>\n"
                        body += "<text class=\"value\" x=\"\(x + 4)\" y=\"\(y + 26)\">\(HTML.escape(cell.rights + tag))\(cell.global ? " G" : "")</text>\n"
                    }
                }
                y += cellHeight
            }
        }
        let height = y + 8
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tlb\" width=\"\(width)\" height=\"\(height)\""
            + " viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"TLB\">\n" + body + "</svg>\n"
    }
}
