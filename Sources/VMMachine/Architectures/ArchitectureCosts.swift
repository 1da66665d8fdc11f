/// Each architecture's own cycle figures, where they differ from x86-64's
/// (CostModel's defaults), with where each comes from. Few are published:
/// most are assumptions of the right order, and `show costs` says which. A
/// figure not changed here is x86's, and `show costs` says that too.
extension Architecture {
    /// One figure of this architecture's: cycles, and why.
    public struct CostFigure: Sendable {
        public let cycles: UInt64
        public let source: String
    }

    /// The defaults a fresh machine of this architecture starts from.
    public var costDefaults: CostModel {
        var costs = CostModel()
        for (path, figure) in ownCosts { costs[keyPath: path] = figure.cycles }
        return costs
    }

    /// x86-64's figures are CostModel's own: the others are measured against them.
    public var isCostBaseline: Bool { encoding == .x86 }

    /// This architecture's figure for `path`, or nil where it uses x86's.
    public func ownCost(_ path: KeyPath<CostModel, UInt64>) -> CostFigure? {
        ownCosts.first { $0.0 == path }?.1
    }

    private var ownCosts: [(WritableKeyPath<CostModel, UInt64>, CostFigure)] {
        switch encoding {
        case .x86:
            return []
        case .riscv:
            return [
                (\.baseRegisterWrite, CostFigure(
                    cycles: 20,
                    source: "assumption: csrw satp is one CSR write and flushes nothing itself (privileged spec: "
                        + "the sfence.vma after it does, cost_flush)")),
                (\.tlbFlush, CostFigure(
                    cycles: 100, source: "x86's figure, assumed: no published latency for sfence.vma x0, asid")),
                (\.invlpg, CostFigure(
                    cycles: 250, source: "x86's INVLPG figure, assumed for sfence.vma ADDR: none is published")),
                (\.kernelEntry, CostFigure(cycles: 100, source: "x86's figure, assumed for ecall and sret")),
            ]
        case .arm:
            return [
                (\.baseRegisterWrite, CostFigure(
                    cycles: 50,
                    source: "assumption: msr ttbr0_el1 and the isb Linux's cpu_switch_mm puts after it, which "
                        + "refetches the pipeline: tens of cycles")),
                (\.invlpg, CostFigure(
                    cycles: 500,
                    source: "assumption: tlbi vae1is completes at the dsb ish only when every core of the Inner "
                        + "Shareable domain has done it: twice a local INVLPG")),
                (\.tlbFlush, CostFigure(cycles: 100, source: "x86's figure, assumed for tlbi aside1")),
                (\.kernelEntry, CostFigure(cycles: 100, source: "x86's figure, assumed for svc and eret")),
            ]
        case .mips:
            return [
                (\.refillHandler, CostFigure(
                    cycles: 20,
                    source: "assumption: Linux's generated R4000 refill handler is about a dozen instructions and an "
                        + "eret (arch/mips/mm/tlbex.c); Patterson & Hennessy put a TLB miss at 10-100 cycles")),
                (\.baseRegisterWrite, CostFigure(
                    cycles: 10, source: "assumption: a store to pgd_current and an mtc0 of EntryHi's ASID")),
                (\.tlbFlush, CostFigure(
                    cycles: 200,
                    source: "assumption: local_flush_tlb_all rewrites the 48 entries one tlbwi each (tlb-r4k.c)")),
                (\.invlpg, CostFigure(
                    cycles: 20, source: "assumption: local_flush_tlb_page's tlbp and one tlbwi")),
                (\.kernelEntry, CostFigure(cycles: 100, source: "x86's figure, assumed for syscall and eret")),
            ]
        }
    }
}
