import VMMachine

/// A core's TLB as a table: a row per set, a column per way, each valid
/// entry with its virtual page, frame, size, tag and rights. Arrays of more
/// than 32 sets show only the sets that hold something.
enum TLBGridHTML {
    static let allSetsUpTo = 32

    static func render(_ picture: TLBPicture) -> String {
        var html = "<div class=\"tlb\"><div class=\"tlb-title\">\(HTML.escape(picture.title))</div>\n"
        for array in picture.arrays {
            if let book = array.book {
                html += bookTable(array, book)
                continue
            }
            let valid = array.cells.compactMap { $0 }.count
            html += "<table class=\"tlb-grid\"><caption>\(HTML.escape(array.name)): \(array.sets) sets × \(array.ways) ways,"
                + " \(valid) valid</caption>\n<tr><th>set</th>"
            for way in 0..<array.ways { html += "<th>way \(way)</th>" }
            html += "</tr>\n"
            var hidden = 0
            for set in 0..<array.sets {
                let cells = array.cells[(set * array.ways)..<((set + 1) * array.ways)]
                if array.sets > allSetsUpTo && cells.allSatisfy({ $0 == nil }) {
                    hidden += 1
                    continue
                }
                html += "<tr><th>\(set)</th>"
                for cell in cells { html += self.cell(cell, tagName: picture.tagName) }
                html += "</tr>\n"
            }
            if hidden > 0 {
                html += "<tr><td class=\"note\" colspan=\"\(array.ways + 1)\">\(hidden) empty sets not shown</td></tr>\n"
            }
            html += "</table>\n"
        }
        return html + "</div>\n"
    }

    /// CS:APP's layout: a row per set, and for each way its tag, PPN and valid bit.
    static func bookTable(_ array: TLBPicture.Array, _ book: [TLBPicture.BookCell]) -> String {
        var html = "<table class=\"tlb-grid book\"><caption>\(HTML.escape(array.name)): \(array.sets) sets × \(array.ways) ways,"
            + " \(book.filter(\.valid).count) valid</caption>\n<tr><th>set</th>"
        for _ in 0..<array.ways { html += "<th>tag</th><th>PPN</th><th>valid</th>" }
        html += "</tr>\n"
        for set in 0..<array.sets {
            html += "<tr><th>\(set)</th>"
            for cell in book[(set * array.ways)..<((set + 1) * array.ways)] {
                let kind = cell.valid ? "entry" : "empty"
                html += "<td class=\"\(kind)\">\(HTML.escape(cell.tag))</td><td class=\"\(kind)\">\(HTML.escape(cell.ppn))</td>"
                    + "<td class=\"\(kind)\">\(cell.valid ? 1 : 0)</td>"
            }
            html += "</tr>\n"
        }
        return html + "</table>\n"
    }

    static func cell(_ cell: TLBPicture.Cell?, tagName: String) -> String {
        guard let cell else { return "<td class=\"empty\"></td>" }
        var html = "<td class=\"entry\(cell.global ? " global" : "")\">"
        html += "<span class=\"page\">\(Format.hex(cell.page))</span> → \(Format.hex(cell.frame))"
        html += "<br><span class=\"detail\">\(Format.size(cell.size)) \(HTML.escape(cell.rights))"
        if let tag = cell.tag { html += " · \(HTML.escape(tagName)) \(tag)" }
        if cell.global { html += " · G" }
        return html + "</span></td>"
    }
}
