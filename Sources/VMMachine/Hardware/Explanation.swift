/// Everything a student works out by hand when translating an address, for
/// `explain`: the fields of the address, where it falls in the TLB and what
/// that set holds, each step of the walk, and the result. Computing it
/// changes nothing: no accessed or dirty bit, no TLB fill, no counter.
public struct Explanation: Sendable {
    public let virtualAddress: UInt64
    /// Table indices, root level first (PML4, PDPT, PD, PT on x86-64).
    public let indices: [Int]
    /// The offset inside a smallest page (VPO), and the virtual page number (VPN).
    public let offset: UInt64
    public let virtualPageNumber: UInt64
    /// The TLB array the access would probe first, its set (TLBI) and tag (TLBT) for a smallest page.
    public let tlbArray: Int
    public let tlbSet: Int
    public let tlbTag: UInt64
    /// The slots of that set, valid or not, and whether one of them translates the address now.
    public let setContents: [TLBEntry]
    public let tlbHit: Bool
    /// The root table's address, and the walk from it as the MMU would do it.
    public let root: UInt64
    public let steps: [WalkStep]
    /// The physical address and the page size, or the fault the walk would raise.
    public let physicalAddress: UInt64?
    public let pageSize: UInt64
    public let fault: Fault?
}

extension Hardware {
    /// Works out the translation of `virtualAddress` for an access of `kind`
    /// on core `index`, without performing it.
    public func explain(_ virtualAddress: UInt64, kind: AccessKind = .read, core index: Int) throws(MachineError)
        -> Explanation
    {
        guard cores.indices.contains(index) else { throw .noSuchCore(index: index, count: cores.count) }
        guard architecture.signExtended || architecture.isCanonical(virtualAddress) else {
            throw .addressTooWide(address: virtualAddress, bits: architecture.virtualBits, what: "virtual")
        }
        let core = cores[index]
        let indices = (1...architecture.levels).reversed().map { architecture.index(of: virtualAddress, level: $0) }
        // The first array an access of this kind probes for a smallest page.
        let smallest = UInt8(architecture.pageShift)
        let arrayIndex =
            core.tlb.roles.indices.first { core.tlb.roles[$0].level == 1 && core.tlb.roles[$0].holds(kind, shift: smallest) } ?? 0
        let array = core.tlb.arrays[arrayIndex]
        let page = virtualAddress >> architecture.pageShift
        let set = Int(page & UInt64(array.sets - 1))
        let tag = page >> UInt64(array.sets.trailingZeroBitCount)
        let contents = (set * array.ways..<(set + 1) * array.ways).map { array.entries[$0] }
        var probe = core.tlb
        let hit = probe.lookup(virtualAddress, tag: core.tag, kind: kind) != nil

        let root = architecture.rootAddress(fromRegister: baseRegister(core, for: virtualAddress))
        var steps: [WalkStep] = []
        var fault: Fault?
        var physicalAddress: UInt64?
        var pageSize = architecture.pageSize
        if !architecture.isCanonical(virtualAddress) {
            fault = Fault(
                kind: .nonCanonical, address: virtualAddress, access: kind, fromUser: core.mode == .user, present: false,
                level: 0, isPageFault: !architecture.nonCanonicalIsGeneralProtection)
        } else {
            var trace = WalkTrace()
            let end = walkTables(virtualAddress, core: index, trace: &trace)
            steps = (0..<trace.count).map { trace[$0] }
            switch end {
            case .fault(.reservedBit, let level):
                fault = self.fault(.reservedBit, at: virtualAddress, kind, mode: core.mode, present: true, level: level)
            case .fault(let faultKind, let level):
                fault = self.fault(faultKind, at: virtualAddress, kind, mode: core.mode, present: false, level: level)
            case .leaf(let raw, let level, let writable, let user, let noExecute, let readable):
                var denied = (core.mode == .user && !user) || (kind == .write && !writable) || (kind == .execute && noExecute)
                    || (kind == .read && !readable)
                if core.mode == .kernel && user {
                    denied = denied || (kind == .execute && features.smep)
                        || (kind != .execute && features.smap && !core.alignmentCheck)
                }
                if denied {
                    fault = self.fault(.protection, at: virtualAddress, kind, mode: core.mode, present: true, level: level)
                } else {
                    pageSize = 1 << architecture.shift(ofLevel: level)
                    physicalAddress =
                        (architecture.format.physicalAddress(raw) & ~(pageSize - 1)) | (virtualAddress & (pageSize - 1))
                }
            }
        }
        return Explanation(
            virtualAddress: virtualAddress, indices: indices, offset: virtualAddress & (architecture.pageSize - 1),
            virtualPageNumber: page, tlbArray: arrayIndex, tlbSet: set, tlbTag: tag,
            setContents: contents, tlbHit: hit, root: root, steps: steps, physicalAddress: physicalAddress,
            pageSize: pageSize, fault: fault)
    }
}
