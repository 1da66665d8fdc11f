import VMMachine

/// `show pagetable A B … format=dot`: the page tables of several processes
/// as one Graphviz graph. A table page is one node however many entries point
/// at it, so the kernel half that every PML4 shares is visibly shared; leaves
/// are frames. Node names are physical addresses and everything is emitted in
/// address order, so the same machine gives the same bytes.
enum DotRenderer {
    /// Runs of more leaves than this in one table become one row and one node.
    static let collapseAbove = 4

    static func pageTables(_ processes: [Process], machine: Machine) -> String {
        var graph = Graph(machine: machine)
        for process in processes {
            graph.line(
                "\"p\(process.pid)\" [shape=plaintext, fontsize=12, label=\"\(escape("\(process.name) (pid \(process.pid))"))\\nCR3\"];")
            graph.line("\"p\(process.pid)\" -> \"\(node(process.root))\";")
            graph.table(process.root, level: AddressLayout.levels, base: 0, title: "PML4 of \(process.name)")
            if let userRoot = process.userRoot {
                graph.line("\"p\(process.pid)\" -> \"\(node(userRoot))\" [style=dashed, label=\"user mode (KPTI)\"];")
                graph.table(userRoot, level: AddressLayout.levels, base: 0, title: "user PML4 of \(process.name) (KPTI)", dashed: true)
            }
        }
        return graph.finish()
    }

    static func node(_ address: UInt64) -> String { "n" + Format.hex(address) }

    /// Text inside a record label: Graphviz gives `{ } | < >` and quotes meaning there.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            if "{}|<>\"\\".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    struct Graph {
        let machine: Machine
        private var lines: [String] = []
        private var drawn: Set<UInt64> = []
        let kernelTables: Set<UInt64>

        init(machine: Machine) {
            self.machine = machine
            kernelTables = Set(machine.kernelTableFrames.map { $0 * AddressLayout.pageSize })
        }

        mutating func line(_ text: String) { lines.append("  " + text) }

        /// A table page: a record of its present entries, then what they point at.
        mutating func table(_ address: UInt64, level: Int, base: UInt64, title: String, dashed: Bool = false) {
            guard drawn.insert(address).inserted else { return }
            let name = AddressLayout.levelName(level)
            if kernelTables.contains(address) && level < AddressLayout.levels {
                let count = machine.presentEntries(ofTable: address).count
                line(
                    "\"\(node(address))\" [style=filled, fillcolor=\"#dde8f7\", label=\"{\(name) \(Format.hex(address))"
                        + "|kernel, shared by every process|\(Format.plural(count, "entry", "entries")) below}\"];")
                return
            }
            var rows: [(port: Int, text: String)] = []
            var edges: [String] = []
            var children: [(UInt64, Int, UInt64)] = []
            let entries = machine.presentEntries(ofTable: address)
            var position = 0
            while position < entries.count {
                let (index, entry) = entries[position]
                let childBase = base | UInt64(index) << (AddressLayout.pageShift + 9 * UInt64(level - 1))
                let isLeaf = level == 1 || ((level == 2 || level == 3) && entry.isLargePage)
                guard isLeaf else {
                    let kernel = kernelTables.contains(entry.physicalAddress)
                    rows.append((index, "[\(index)] \(kernel ? "kernel half" : "→ \(AddressLayout.levelName(level - 1))")"))
                    edges.append("\"\(node(address))\":e\(index) -> \"\(node(entry.physicalAddress))\";")
                    children.append((entry.physicalAddress, level - 1, childBase))
                    position += 1
                    continue
                }
                // A run of leaves with the same flags and consecutive frames.
                var end = position + 1
                let size = AddressLayout.span(ofLevel: level)
                while end < entries.count, entries[end].index == entries[end - 1].index + 1,
                    entries[end].entry.raw & ~PageTableEntry.addressMask == entry.raw & ~PageTableEntry.addressMask,
                    entries[end].entry.physicalAddress == entries[end - 1].entry.physicalAddress + size
                {
                    end += 1
                }
                if end - position > collapseAbove {
                    let last = entries[end - 1]
                    rows.append((index, "[\(index)…\(last.index)] \(end - position) × \(Format.size(size))"))
                    let frames = "r" + Format.hex(entry.physicalAddress)
                    if drawn.insert(entry.physicalAddress | 2).inserted {
                        let shared = machine.mappingCount(entry.physicalAddress) > 1
                        line(
                            "\"\(frames)\" [shape=box3d\(shared ? ", style=filled, fillcolor=\"#ffe3a3\"" : ""), "
                                + "label=\"frames \(Format.hex(entry.physicalAddress))…\(Format.hex(last.entry.physicalAddress))"
                                + "\\n\(end - position) pages, \(flags(entry))\(shared ? "\\nshared copy-on-write" : "")\"];")
                    }
                    edges.append("\"\(node(address))\":e\(index) -> \"\(frames)\";")
                    position = end
                    continue
                }
                rows.append((index, "[\(index)] \(Format.size(size)) page"))
                edges.append("\"\(node(address))\":e\(index) -> \"\(frame(entry, size: size))\";")
                position += 1
            }
            let label = "{" + escape("\(title.isEmpty ? name : title) \(Format.hex(address))")
                + (rows.isEmpty ? "|(empty)" : "|" + rows.map { "<e\($0.port)>" + escape($0.text) }.joined(separator: "|")) + "}"
            line("\"\(node(address))\" [label=\"\(label)\"\(dashed ? ", style=dashed" : "")];")
            lines += edges.map { "  " + $0 }
            for (child, childLevel, childBase) in children {
                table(child, level: childLevel, base: childBase, title: "")
            }
        }

        /// A leaf's frame node: a 4 KiB frame, a huge page (box3d) or a page
        /// shared copy-on-write (filled), drawn once however many entries map it.
        mutating func frame(_ entry: PageTableEntry, size: UInt64) -> String {
            let address = entry.physicalAddress & ~(size - 1)
            let name = "f" + Format.hex(address)
            guard drawn.insert(address | 1).inserted else { return name }
            let sharers = machine.mappingCount(address)
            var attributes = size > AddressLayout.pageSize ? "shape=box3d" : "shape=box"
            var label = "frame \(Format.hex(address))\\n\(Format.size(size)), \(flags(entry))"
            if sharers > 1 {
                attributes += ", style=filled, fillcolor=\"#ffe3a3\""
                label += "\\nshared copy-on-write by \(sharers)"
            }
            line("\"\(name)\" [\(attributes), label=\"\(label)\"];")
            return name
        }

        func flags(_ entry: PageTableEntry) -> String {
            (entry.isWritable ? "rw" : "r") + (entry.isNoExecute ? "" : "x") + (entry.isUser ? " user" : " kernel")
        }

        func finish() -> String {
            var text = "digraph pagetables {\n"
            text += "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=10];\n"
            text += "  node [shape=record, fontname=\"Helvetica\", fontsize=10];\n"
            text += "  edge [fontname=\"Helvetica\", fontsize=9];\n"
            text += lines.joined(separator: "\n") + "\n"
            text += "  subgraph cluster_legend {\n"
            text += "    label=\"legend\"; fontsize=10;\n"
            text += "    \"legend_table\" [label=\"{a page-table page|[index] entries}\"];\n"
            text += "    \"legend_kernel\" [style=filled, fillcolor=\"#dde8f7\", label=\"{kernel table|one node: every PML4 points at it}\"];\n"
            text += "    \"legend_cow\" [shape=box, style=filled, fillcolor=\"#ffe3a3\", label=\"frame shared copy-on-write\"];\n"
            text += "    \"legend_huge\" [shape=box3d, label=\"huge page, or a run of frames\"];\n"
            text += "    \"legend_kpti\" [style=dashed, label=\"{user PML4 (KPTI)|used in user mode}\"];\n"
            text += "  }\n}\n"
            return text
        }
    }
}
