import VMMachine

/// Output that a picture shows better than text: a `show pagetable`, a
/// `show tlb`, a `plot`. Commands print their text as always and hand the
/// sink the figure too; only a sink that draws (the HTML report) builds it.
public struct Figure {
    enum Content {
        case pageTables(PageTableGraph)
        case tlb(TLBPicture)
        case chart(ChartPicture)
    }

    let content: Content
}

extension OutputSink {
    /// Text for terminals and transcripts; sinks that draw also take the figure.
    public func write(_ text: String, figure: () -> Figure) { write(text) }
}

/// One core's TLB as a grid: a row per set, a column per way.
struct TLBPicture {
    struct Cell {
        let page: UInt64
        let frame: UInt64
        let size: UInt64
        /// The PCID or ASID, when the core uses them; "any" for a global entry.
        let tag: String?
        let global: Bool
        let rights: String
    }

    /// A textbook TLB way as CS:APP draws it (figure 9.20 and the terminal's
    /// `show tlb`): its tag (TLBT), PPN and valid bit, invalid ways included.
    struct BookCell {
        let tag: String
        let ppn: String
        let valid: Bool
    }

    struct Array {
        let name: String
        let sets: Int
        let ways: Int
        /// sets × ways, set-major; nil for an invalid way.
        let cells: [Cell?]
        /// On a textbook machine: every way in the book's columns, set-major.
        var book: [BookCell]? = nil
    }

    let title: String
    let arrays: [Array]
    /// What the architecture calls an entry's address-space tag: PCID (x86) or ASID (RISC-V, ARM, MIPS).
    let tagName: String

    /// `tagged`: entries carry PCIDs or ASIDs (the kernel hands them out), so the picture shows them.
    init(_ core: Core, title: String, tagName: String, tagged: Bool) {
        self.title = title
        self.tagName = tagName
        let tags = tagged
        var arrays: [Array] = []
        for (index, array) in core.tlb.arrays.enumerated() {
            let name = core.tlb.isUnified ? "TLB" : core.tlb.roles[index].name
            let cells = array.entries.map { entry -> Cell? in
                guard entry.valid else { return nil }
                var rights = Format.rights(writable: entry.writable, noExecute: entry.noExecute, user: entry.user)
                if entry.dirty { rights += " dirty" }
                return Cell(
                    page: entry.virtualAddress, frame: entry.frameBase, size: entry.pageSize,
                    tag: tags ? (entry.global ? "any" : String(entry.tag)) : nil, global: entry.global, rights: rights)
            }
            arrays.append(Array(name: name, sets: array.sets, ways: array.ways, cells: cells))
        }
        self.arrays = arrays
    }

    /// A textbook machine's TLB, drawn as CS:APP draws it: tag, PPN, valid per way.
    init(book core: Core, title: String, pageShift: UInt64) {
        self.title = title
        tagName = "PCID"
        let array = core.tlb.arrays[0]
        let setBits = UInt64(array.sets.trailingZeroBitCount)
        let book = array.entries.map { entry in
            BookCell(
                tag: entry.wasFilled ? Format.hex(entry.virtualPage >> setBits) : "-",
                ppn: entry.valid ? Format.hex(entry.frameBase >> pageShift) : "-", valid: entry.valid)
        }
        arrays = [Array(name: "TLB", sets: array.sets, ways: array.ways, cells: Swift.Array(repeating: nil, count: book.count), book: book)]
    }
}

/// The series a `plot` draws.
struct ChartPicture {
    let title: String?
    let series: [(name: String, points: [(x: UInt64, y: UInt64)])]
    let lines: Bool
}
