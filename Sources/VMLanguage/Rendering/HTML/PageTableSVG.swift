/// Lays out a PageTableGraph as an SVG picture, without Graphviz: a column
/// per level (processes, then PML4 … PT, then frames), nodes stacked in each
/// column in the order the walk found them, and each entry's edge drawn from
/// its row to the table or frame it points at. A table shared by several
/// processes is one box with several arrows in. Every coordinate is an
/// integer, so the same graph gives the same bytes everywhere.
enum PageTableSVG {
    static let characterWidth = 7
    static let rowHeight = 16
    static let titleHeight = 20
    static let columnGap = 56
    static let nodeGap = 14
    static let margin = 12

    struct Box {
        var x = 0
        var y = 0
        let width: Int
        let height: Int
    }

    static func render(_ graph: PageTableGraph) -> String {
        let nodes = graph.nodes
        let edges = graph.edges
        var index: [String: Int] = [:]
        for (position, node) in nodes.enumerated() { index[node.id] = position }

        // Columns: a process at 0, a table one right of whatever points at it, frames last.
        var column = nodes.map { node -> Int in
            if case .process = node.kind { return 0 }
            return 1
        }
        var changed = true
        while changed {
            changed = false
            for edge in edges {
                guard let from = index[edge.from], let to = index[edge.to], column[to] < column[from] + 1 else { continue }
                column[to] = column[from] + 1
                changed = true
            }
        }
        let isFrame = nodes.map { node -> Bool in
            switch node.kind {
            case .frame, .frameRun: return true
            default: return false
            }
        }
        let lastTableColumn = zip(column, isFrame).filter { !$0.1 }.map(\.0).max() ?? 0
        for position in nodes.indices where isFrame[position] { column[position] = lastTableColumn + 1 }

        var boxes = nodes.map { size(of: $0) }
        let columnCount = (column.max() ?? 0) + 1
        var columnWidth = [Int](repeating: 0, count: columnCount)
        for (position, box) in boxes.enumerated() { columnWidth[column[position]] = max(columnWidth[column[position]], box.width) }
        var columnX = [Int](repeating: margin, count: columnCount)
        for number in 1..<max(1, columnCount) { columnX[number] = columnX[number - 1] + columnWidth[number - 1] + columnGap }
        var nextY = [Int](repeating: margin, count: columnCount)
        for position in nodes.indices {
            boxes[position].x = columnX[column[position]]
            boxes[position].y = nextY[column[position]]
            nextY[column[position]] += boxes[position].height + nodeGap
        }
        let legendY = (nextY.max() ?? margin) + 6
        let width = (columnX.last ?? margin) + (columnWidth.last ?? 0) + margin
        let height = legendY + 40

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pagetables\" width=\"\(width)\" height=\"\(height)\""
            + " viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"page tables\">\n"
        svg += "<defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" markerWidth=\"7\" markerHeight=\"7\""
            + " orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#555\"/></marker></defs>\n"
        for edge in edges {
            guard let from = index[edge.from], let to = index[edge.to] else { continue }
            svg += path(edge, from: boxes[from], fromNode: nodes[from], to: boxes[to])
        }
        for (position, node) in nodes.enumerated() { svg += draw(node, in: boxes[position]) }
        svg += legend(y: legendY, isolation: graph.isolationCaption)
        svg += "</svg>\n"
        return svg
    }

    static func size(of node: PageTableGraph.Node) -> Box {
        let padding = 16
        switch node.kind {
        case .process(let label, let register):
            return Box(width: max(label.count, register.count) * characterWidth + padding, height: titleHeight + rowHeight)
        case .kernelTable(let title, let below):
            let text = [title, "kernel, shared by every process", below]
            return Box(width: text.map(\.count).max()! * characterWidth + padding, height: titleHeight + 2 * rowHeight + 4)
        case .table(let title, let rows, _):
            let longest = max(title.count, rows.map(\.text.count).max() ?? 7)
            return Box(width: longest * characterWidth + padding, height: titleHeight + max(1, rows.count) * rowHeight + 4)
        case .frame(let lines, _, _), .frameRun(let lines, _):
            return Box(width: (lines.map(\.count).max() ?? 1) * characterWidth + padding, height: lines.count * rowHeight + 8)
        }
    }

    /// Where an edge leaves its node: the row of its entry, or the middle.
    static func exit(_ node: PageTableGraph.Node, box: Box, port: Int?) -> Int {
        if case .table(_, let rows, _) = node.kind, let port, let row = rows.firstIndex(where: { $0.port == port }) {
            return box.y + titleHeight + row * rowHeight + rowHeight / 2 + 2
        }
        return box.y + box.height / 2
    }

    static func path(_ edge: PageTableGraph.Edge, from: Box, fromNode: PageTableGraph.Node, to: Box) -> String {
        let x1 = from.x + from.width
        let y1 = exit(fromNode, box: from, port: edge.port)
        let x2 = to.x
        let y2 = to.y + titleHeight / 2
        let bend = max(20, (x2 - x1) / 2)
        // A label (KPTI's "user mode") is a tooltip: the dashed line and the legend already say it.
        let tooltip = edge.label.map { "<title>\(HTML.escape($0))</title>" } ?? ""
        let text = "<path class=\"edge\(edge.dashed ? " dashed" : "")\" d=\"M\(x1),\(y1) C\(x1 + bend),\(y1) \(x2 - bend),\(y2) \(x2),\(y2)\""
            + " marker-end=\"url(#arrow)\">\(tooltip)</path>\n"
        return text
    }

    static func draw(_ node: PageTableGraph.Node, in box: Box) -> String {
        var text = "<g class=\"node\" data-id=\"\(HTML.escape(node.id))\">"
        func rect(_ classes: String, _ box: Box) -> String {
            "<rect class=\"\(classes)\" x=\"\(box.x)\" y=\"\(box.y)\" width=\"\(box.width)\" height=\"\(box.height)\" rx=\"3\"/>"
        }
        func label(_ string: String, _ y: Int, bold: Bool = false) -> String {
            "<text x=\"\(box.x + 8)\" y=\"\(y)\"\(bold ? " class=\"title\"" : "")>\(HTML.escape(string))</text>"
        }
        switch node.kind {
        case .process(let name, let register):
            text += label(name, box.y + 14, bold: true) + label(register, box.y + 30)
        case .kernelTable(let title, let below):
            text += rect("table kernel", box) + label(title, box.y + 14, bold: true)
            text += label("kernel, shared by every process", box.y + titleHeight + 12)
            text += label(below, box.y + titleHeight + rowHeight + 12)
        case .table(let title, let rows, let dashed):
            text += rect("table" + (dashed ? " kpti" : ""), box) + label(title, box.y + 14, bold: true)
            text += "<line class=\"rule\" x1=\"\(box.x)\" y1=\"\(box.y + titleHeight)\" x2=\"\(box.x + box.width)\" y2=\"\(box.y + titleHeight)\"/>"
            for (number, row) in rows.enumerated() {
                text += label(row.text, box.y + titleHeight + number * rowHeight + 12)
            }
            if rows.isEmpty { text += label("(empty)", box.y + titleHeight + 12) }
        case .frame(let lines, let huge, let shared):
            text += frame(lines, huge: huge, shared: shared, box: box)
        case .frameRun(let lines, let shared):
            text += frame(lines, huge: true, shared: shared, box: box)
        }
        return text + "</g>\n"
    }

    /// A frame: a plain box; a huge page or a run of frames gets a second
    /// outline behind it (Graphviz's box3d); a shared one is filled.
    static func frame(_ lines: [String], huge: Bool, shared: Bool, box: Box) -> String {
        var text = ""
        let classes = "frame" + (shared ? " shared" : "")
        if huge {
            text += "<rect class=\"\(classes) back\" x=\"\(box.x + 4)\" y=\"\(box.y - 4)\" width=\"\(box.width)\" height=\"\(box.height)\"/>"
        }
        text += "<rect class=\"\(classes)\" x=\"\(box.x)\" y=\"\(box.y)\" width=\"\(box.width)\" height=\"\(box.height)\"/>"
        for (number, line) in lines.enumerated() {
            text += "<text x=\"\(box.x + 8)\" y=\"\(box.y + 16 + number * rowHeight)\">\(HTML.escape(line))</text>"
        }
        return text
    }

    /// The key to the drawing; `isolation` names KPTI's dashed user copy when one is drawn.
    static func legend(y: Int, isolation: String?) -> String {
        var text = "<g class=\"legend\">"
        var x = margin
        let items: [(String, String)] =
            [("table", "page-table page"), ("table kernel", "kernel table, shared by every process")]
            + (isolation.map { [("table kpti", $0)] } ?? [])
            + [("frame shared", "frame shared copy-on-write"), ("frame", "frame (doubled: huge page or run)")]
        for (classes, caption) in items {
            if caption.hasPrefix("frame (doubled") {
                text += "<rect class=\"\(classes) back\" x=\"\(x + 3)\" y=\"\(y - 3)\" width=\"14\" height=\"14\"/>"
            }
            text += "<rect class=\"\(classes)\" x=\"\(x)\" y=\"\(y)\" width=\"14\" height=\"14\"/>"
            text += "<text x=\"\(x + 20)\" y=\"\(y + 11)\">\(HTML.escape(caption))</text>"
            x += 20 + caption.count * characterWidth + 18
        }
        return text + "</g>\n"
    }
}
