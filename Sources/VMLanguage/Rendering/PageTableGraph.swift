import VMMachine

/// The page tables of several processes as one graph: what `show pagetable
/// … format=dot` prints as Graphviz and the HTML report draws as SVG. A
/// table page is one node however many entries point at it, so the kernel
/// half that every PML4 shares is visibly shared; leaves are frames. Nodes
/// are named by physical address and everything is visited in address
/// order, so the same machine gives the same graph.
struct PageTableGraph {
    /// Runs of more leaves than this in one table become one row and one node.
    static let collapseAbove = 4

    struct Row {
        let port: Int
        let text: String
    }

    enum NodeKind {
        /// A process: its name and pid; its edges are the CR3 values it loads.
        /// A process and the base register its root is loaded into (CR3, satp, TTBR0_EL1, pgd_current).
        case process(label: String, register: String)
        case table(title: String, rows: [Row], dashed: Bool)
        /// A kernel table every process shares, drawn without its entries.
        case kernelTable(title: String, below: String)
        /// A page frame (or a huge page), with its flags.
        case frame(lines: [String], huge: Bool, shared: Bool)
        /// A run of consecutive frames mapped alike.
        case frameRun(lines: [String], shared: Bool)
    }

    struct Node {
        let id: String
        let kind: NodeKind
    }

    struct Edge {
        let from: String
        /// The table row the edge leaves from, if any.
        let port: Int?
        let to: String
        let dashed: Bool
        let label: String?
    }

    /// Nodes and edges in the order they were found (the DOT text keeps it).
    enum Item {
        case node(Node)
        case edge(Edge)
    }

    private(set) var items: [Item] = []
    /// What the machine calls its root table (PML4, L2, L0, PGD), for the legend.
    private(set) var rootName = "PML4"
    /// The legend's caption for a dashed table, when the graph has one: KPTI's user copy.
    private(set) var isolationCaption: String?
    var nodes: [Node] { items.compactMap { if case .node(let node) = $0 { node } else { nil } } }
    var edges: [Edge] { items.compactMap { if case .edge(let edge) = $0 { edge } else { nil } } }

    init(_ processes: [Process], machine: Machine) {
        var builder = Builder(machine: machine)
        rootName = machine.architecture.levelName(machine.architecture.levels)
        for process in processes {
            let id = "p\(process.pid)"
            builder.items.append(.node(Node(id: id, kind: .process(label: "\(process.name) (pid \(process.pid))", register: machine.architecture.baseRegister))))
            let architecture = machine.architecture
            let rootName = architecture.levelName(architecture.levels)
            // xv6's separate kernel table: the process has one table (its user half and
            // the trampoline), the one the text shows; the kernel runs on the master table.
            if machine.configuration.separateKernelTable, let own = process.userRoot {
                builder.items.append(.edge(Edge(from: id, port: nil, to: Self.tableID(own), dashed: false, label: nil)))
                builder.table(own, level: architecture.levels, base: 0, title: "\(rootName) of \(process.name)")
                continue
            }
            builder.items.append(.edge(Edge(from: id, port: nil, to: Self.tableID(process.root), dashed: false, label: nil)))
            builder.table(process.root, level: architecture.levels, base: 0, title: "\(rootName) of \(process.name)")
            if let userRoot = process.userRoot {
                isolationCaption = "user \(rootName) (KPTI)"
                builder.items.append(
                    .edge(Edge(from: id, port: nil, to: Self.tableID(userRoot), dashed: true, label: "user mode (KPTI)")))
                builder.table(
                    userRoot, level: architecture.levels, base: 0, title: "user \(rootName) of \(process.name) (KPTI)", dashed: true)
            }
        }
        items = builder.items
    }

    static func tableID(_ address: UInt64) -> String { "n" + Format.hex(address) }

    private struct Builder {
        let machine: Machine
        var items: [Item] = []
        private var drawn: Set<UInt64> = []
        let kernelTables: Set<UInt64>

        init(machine: Machine) {
            self.machine = machine
            kernelTables = Set(machine.kernelTableFrames.map { $0 * AddressLayout.pageSize })
        }

        /// A table page: its present entries, then what they point at.
        mutating func table(_ address: UInt64, level: Int, base: UInt64, title: String, dashed: Bool = false) {
            guard drawn.insert(address).inserted else { return }
            let architecture = machine.architecture
            let name = architecture.levelName(level)
            let id = PageTableGraph.tableID(address)
            if kernelTables.contains(address) && level < architecture.levels {
                let count = machine.presentEntries(ofTable: address, level: level).count
                items.append(
                    .node(
                        Node(
                            id: id,
                            kind: .kernelTable(
                                title: "\(name) \(Format.hex(address))",
                                below: "\(Format.plural(count, "entry", "entries")) below"))))
                return
            }
            var rows: [Row] = []
            var edges: [Edge] = []
            var children: [(UInt64, Int, UInt64)] = []
            let entries = machine.presentEntries(ofTable: address, level: level)
            var position = 0
            while position < entries.count {
                let index = entries[position].index
                let entry = entries[position].entry
                let childBase = base | UInt64(index) << architecture.shift(ofLevel: level)
                guard entry.leaf else {
                    let kernel = kernelTables.contains(entry.address)
                    rows.append(Row(port: index, text: "[\(index)] \(kernel ? "kernel half" : "→ \(architecture.levelName(level - 1))")"))
                    edges.append(edge(from: id, port: index, to: PageTableGraph.tableID(entry.address)))
                    children.append((entry.address, level - 1, childBase))
                    position += 1
                    continue
                }
                // A run of leaves with the same flags and consecutive frames.
                var end = position + 1
                let size = architecture.span(ofLevel: level)
                while end < entries.count, entries[end].index == entries[end - 1].index + 1,
                    entries[end].entry.sameRights(as: entry),
                    entries[end].entry.address == entries[end - 1].entry.address + size
                {
                    end += 1
                }
                if end - position > PageTableGraph.collapseAbove {
                    let last = entries[end - 1]
                    rows.append(Row(port: index, text: "[\(index)…\(last.index)] \(end - position) × \(Format.size(size))"))
                    let frames = "r" + Format.hex(entry.address)
                    if drawn.insert(entry.address | 2).inserted {
                        let shared = machine.mappingCount(entry.address) > 1
                        var lines = [
                            "frames \(Format.hex(entry.address))…\(Format.hex(last.entry.address))",
                            "\(end - position) pages, \(flags(entry))",
                        ]
                        if shared { lines.append("shared copy-on-write") }
                        items.append(.node(Node(id: frames, kind: .frameRun(lines: lines, shared: shared))))
                    }
                    edges.append(edge(from: id, port: index, to: frames))
                    position = end
                    continue
                }
                rows.append(Row(port: index, text: "[\(index)] \(Format.size(size)) page"))
                edges.append(edge(from: id, port: index, to: frame(entry, size: size)))
                position += 1
            }
            items.append(
                .node(Node(id: id, kind: .table(title: "\(title.isEmpty ? name : title) \(Format.hex(address))", rows: rows, dashed: dashed))))
            items += edges.map { .edge($0) }
            for (child, childLevel, childBase) in children {
                table(child, level: childLevel, base: childBase, title: "")
            }
        }

        private func edge(from: String, port: Int, to: String) -> Edge {
            Edge(from: from, port: port, to: to, dashed: false, label: nil)
        }

        /// A leaf's frame node: a 4 KiB frame, a huge page or a page shared
        /// copy-on-write, found once however many entries map it.
        mutating func frame(_ entry: PageEntry, size: UInt64) -> String {
            let address = entry.address & ~(size - 1)
            let id = "f" + Format.hex(address)
            guard drawn.insert(address | 1).inserted else { return id }
            let sharers = machine.mappingCount(address)
            var lines = ["frame \(Format.hex(address))", "\(Format.size(size)), \(flags(entry))"]
            if sharers > 1 { lines.append("shared copy-on-write by \(sharers)") }
            items.append(
                .node(Node(id: id, kind: .frame(lines: lines, huge: size > AddressLayout.pageSize, shared: sharers > 1))))
            return id
        }

        func flags(_ entry: PageEntry) -> String {
            Format.rights(writable: entry.writable, noExecute: !entry.executable, user: entry.user)
        }
    }
}
