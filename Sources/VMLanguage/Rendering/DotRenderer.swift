import VMMachine

/// `show pagetable A B … format=dot`: a PageTableGraph as Graphviz DOT, in
/// the graph's own order, with a legend telling the node kinds apart.
enum DotRenderer {
    static func pageTables(_ processes: [Process], machine: Machine) -> String {
        render(PageTableGraph(processes, machine: machine))
    }

    static func render(_ graph: PageTableGraph) -> String {
        var text = "digraph pagetables {\n"
        text += "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=10];\n"
        text += "  node [shape=record, fontname=\"Helvetica\", fontsize=10];\n"
        text += "  edge [fontname=\"Helvetica\", fontsize=9];\n"
        for item in graph.items {
            switch item {
            case .node(let node): text += "  " + line(node) + "\n"
            case .edge(let edge): text += "  " + line(edge) + "\n"
            }
        }
        text += "  subgraph cluster_legend {\n"
        text += "    label=\"legend\"; fontsize=10;\n"
        text += "    \"legend_table\" [label=\"{a page-table page|[index] entries}\"];\n"
        text += "    \"legend_kernel\" [style=filled, fillcolor=\"#dde8f7\", label=\"{kernel table|one node: every \(graph.rootName) points at it}\"];\n"
        text += "    \"legend_cow\" [shape=box, style=filled, fillcolor=\"#ffe3a3\", label=\"frame shared copy-on-write\"];\n"
        text += "    \"legend_huge\" [shape=box3d, label=\"huge page, or a run of frames\"];\n"
        if let caption = graph.isolationCaption {
            text += "    \"legend_kpti\" [style=dashed, label=\"{\(caption)|used in user mode}\"];\n"
        }
        text += "  }\n}\n"
        return text
    }

    private static let sharedFill = ", style=filled, fillcolor=\"#ffe3a3\""

    private static func line(_ node: PageTableGraph.Node) -> String {
        let id = "\"\(node.id)\""
        switch node.kind {
        case .process(let label, let register):
            return "\(id) [shape=plaintext, fontsize=12, label=\"\(escape(label))\\n\(escape(register))\"];"
        case .kernelTable(let title, let below):
            return "\(id) [style=filled, fillcolor=\"#dde8f7\", label=\"{\(title)|kernel, shared by every process|\(below)}\"];"
        case .table(let title, let rows, let dashed):
            let label = "{" + escape(title)
                + (rows.isEmpty ? "|(empty)" : "|" + rows.map { "<e\($0.port)>" + escape($0.text) }.joined(separator: "|")) + "}"
            return "\(id) [label=\"\(label)\"\(dashed ? ", style=dashed" : "")];"
        case .frame(let lines, let huge, let shared):
            return "\(id) [\(huge ? "shape=box3d" : "shape=box")\(shared ? sharedFill : ""), label=\"\(lines.joined(separator: "\\n"))\"];"
        case .frameRun(let lines, let shared):
            return "\(id) [shape=box3d\(shared ? sharedFill : ""), label=\"\(lines.joined(separator: "\\n"))\"];"
        }
    }

    private static func line(_ edge: PageTableGraph.Edge) -> String {
        let from = "\"\(edge.from)\"" + (edge.port.map { ":e\($0)" } ?? "")
        var attributes: [String] = []
        if edge.dashed { attributes.append("style=dashed") }
        if let label = edge.label { attributes.append("label=\"\(escape(label))\"") }
        return "\(from) -> \"\(edge.to)\"" + (attributes.isEmpty ? "" : " [" + attributes.joined(separator: ", ") + "]") + ";"
    }

    /// Text inside a record label: Graphviz gives `{ } | < >` and quotes meaning there.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            if "{}|<>\"\\".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
