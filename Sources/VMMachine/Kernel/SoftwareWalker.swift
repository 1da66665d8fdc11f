/// The kernel's one software walker: every kernel operation reaches its
/// tables through it, as Linux's do through `pgd_offset` … `pte_offset`.
/// It reads and writes PageEntry values through the architecture's codec,
/// and always knows a table's level because it got there by walking (which
/// ARM's and MIPS's layouts need, and x86's PS bit too). The MMU's own walk
/// (Hardware/PageWalk.swift) reads raw words under the hardware's rules.
struct LeafSlot {
    /// The virtual address the entry maps (its page's start).
    let page: UInt64
    let entryAddress: UInt64
    let level: Int
    let entry: PageEntry
}

extension Machine {
    /// The kernel's view of the entry at `address`, in a table at `level`.
    @inline(__always)
    func pageEntry(at address: UInt64, level: Int) -> PageEntry {
        architecture.decodeEntry(hardware.rawTableEntry(at: address), level: level)
    }

    @inline(__always)
    func setPageEntry(_ entry: PageEntry, at address: UInt64, level: Int) {
        hardware.writeEntry(at: address, bytes: architecture.entryBytes, architecture.encodeEntry(entry, level: level))
    }

    /// Where `table`, a table at `level`, keeps the entry for `virtualAddress`.
    @inline(__always)
    func entryAddress(in table: UInt64, _ virtualAddress: UInt64, level: Int) -> UInt64 {
        table &+ UInt64(architecture.index(of: virtualAddress, level: level)) &* architecture.entryBytes
    }

    /// The present leaf that maps `virtualAddress` under `root`, at whatever
    /// level it is (a 512 GiB Sv48 page is a leaf in the root table), or nil.
    func lookup(root: UInt64, _ virtualAddress: UInt64) -> LeafSlot? {
        var trace = WalkTrace(keepsSteps: false)
        return lookup(root: root, virtualAddress, trace: &trace)
    }

    /// The same, recording each entry read in `trace` (xv6's walkaddr, which
    /// `explain`-like lines print as the kernel's own walk).
    func lookup(root: UInt64, _ virtualAddress: UInt64, trace: inout WalkTrace) -> LeafSlot? {
        var table = root
        var level = architecture.levels
        while true {
            let address = entryAddress(in: table, virtualAddress, level: level)
            let raw = hardware.rawTableEntry(at: address)
            trace.append(
                WalkStep(
                    level: level, index: architecture.index(of: virtualAddress, level: level), entryAddress: address,
                    entry: raw))
            let entry = architecture.decodeEntry(raw, level: level)
            guard entry.present else { return nil }
            if entry.leaf {
                let page = virtualAddress & ~(architecture.span(ofLevel: level) - 1)
                return LeafSlot(page: page, entryAddress: address, level: level, entry: entry)
            }
            guard level > 1 else { return nil }
            table = entry.address
            level -= 1
        }
    }

    /// The entry slot for `virtualAddress` in the last table, whatever it
    /// holds (a swap entry, or nothing), if the tables above it exist.
    func lastLevelSlot(root: UInt64, _ virtualAddress: UInt64) -> LeafSlot? {
        guard let table = table(root: root, virtualAddress, level: 1) else { return nil }
        let address = entryAddress(in: table, virtualAddress, level: 1)
        return LeafSlot(
            page: virtualAddress & ~(architecture.pageSize - 1), entryAddress: address, level: 1,
            entry: pageEntry(at: address, level: 1))
    }

    /// The physical address of the present table at `level` on the way to
    /// `virtualAddress`, or nil if the walk stops above it (at a missing
    /// table, or a huge page that maps the address itself).
    func table(root: UInt64, _ virtualAddress: UInt64, level: Int) -> UInt64? {
        var table = root
        var current = architecture.levels
        while current > level {
            let entry = pageEntry(at: entryAddress(in: table, virtualAddress, level: current), level: current)
            guard entry.present, !entry.leaf else { return nil }
            table = entry.address
            current -= 1
        }
        return table
    }

    /// The same walk, allocating and linking any missing table above `level`,
    /// and returning the table at `level`. A new root-table entry is also
    /// written into `mirror` (KPTI's user copy: Linux's `set_pgd` mirrors
    /// user entries, so both copies share every lower level). In the kernel
    /// copy such entries forbid execution, as Linux's do, so a missed CR3
    /// switch cannot run user code.
    func makeTables(
        root: UInt64, mirror: UInt64?, _ virtualAddress: UInt64, downTo level: Int, user: Bool,
        created: inout [UInt64]
    ) throws(MachineError) -> UInt64 {
        var table = root
        var current = architecture.levels
        while current > level {
            let address = entryAddress(in: table, virtualAddress, level: current)
            var entry = pageEntry(at: address, level: current)
            if !entry.present {
                try hardware.checkHostMemory(adding: 1)
                guard let frame = allocator.allocate() else { throw .outOfMemory(totalFrames: framesTotal) }
                created.append(frame)
                entry = .table(at: frame * AddressLayout.pageSize, user: user)
                if current == architecture.levels && architecture.rootInRegisters {
                    // PAE: a PDPTE reaches the CPU only with a CR3 load (Intel's note 317080 §8.1).
                    setPageEntry(entry, at: address, level: current)
                    reloadRootEntries(ofRoot: root)
                } else if current == architecture.levels, let mirror {
                    setPageEntry(entry, at: mirror + (address - root), level: current)
                    var kernelCopy = entry
                    kernelCopy.executable = false
                    setPageEntry(kernelCopy, at: address, level: current)
                } else {
                    setPageEntry(entry, at: address, level: current)
                }
            }
            table = entry.address
            current -= 1
        }
        return table
    }

    /// Copies root-table entry `index` word for word, as Linux's
    /// `clone_pgd_range` copies the kernel half with memcpy.
    func copyRootEntry(_ index: Int, from source: UInt64, to destination: UInt64) {
        let offset = UInt64(index) * architecture.entryBytes
        hardware.writeEntry(at: destination + offset, bytes: architecture.entryBytes, hardware.rawTableEntry(at: source + offset))
    }

    /// Tables that mapping `[start, end)` with leaves at `leafLevel` would have to create.
    func missingTables(root: UInt64, start: UInt64, end: UInt64, leafLevel: Int) -> UInt64 {
        var missing: UInt64 = 0
        for level in leafLevel..<max(leafLevel, architecture.levels) {
            // One table at `level` covers the span of one entry at `level + 1`.
            let span = architecture.span(ofLevel: level + 1)
            var region = start & ~(span - 1)
            while region < end {
                if table(root: root, region, level: level) == nil { missing += 1 }
                region += span
            }
        }
        return missing
    }

    /// The leaves of `[start, end)` under `root` in address order: every
    /// present leaf at any level, and every swap entry in a last-level table.
    /// The walk visits only present tables, so its cost follows what is
    /// mapped, not the range's size (a 4 TiB region with one page costs one walk).
    func visitLeaves(root: UInt64, _ start: UInt64, _ end: UInt64) -> [LeafSlot] {
        var leaves: [LeafSlot] = []
        guard start < end else { return leaves }
        visit(table: root, level: architecture.levels, base: 0, start: start, end: end, into: &leaves)
        return leaves
    }

    /// The present leaves of `region` under `root`.
    func presentLeaves(of region: MemoryRegion, root: UInt64) -> [LeafSlot] {
        visitLeaves(root: root, region.start, region.end).filter { $0.entry.present }
    }

    /// The entries of `region` that hold a page swapped out (frames=N; there are none otherwise).
    func swappedLeaves(of region: MemoryRegion, root: UInt64) -> [LeafSlot] {
        guard limitsUserFrames, region.pageSize == AddressLayout.pageSize else { return [] }
        return visitLeaves(root: root, region.start, region.end).filter { $0.entry.swapSlot != nil }
    }

    private func visit(table: UInt64, level: Int, base: UInt64, start: UInt64, end: UInt64, into leaves: inout [LeafSlot]) {
        let span = architecture.span(ofLevel: level)
        let first = start > base ? (start - base) / span : 0
        let last = min(architecture.entriesPerTable - 1, (end - 1 - base) / span)
        guard first <= last else { return }
        for index in first...last {
            let address = table + index * architecture.entryBytes
            let entry = pageEntry(at: address, level: level)
            let page = base + index * span
            guard entry.present else {
                if level == 1 && entry.swapSlot != nil {
                    leaves.append(LeafSlot(page: page, entryAddress: address, level: level, entry: entry))
                }
                continue
            }
            if entry.leaf {
                leaves.append(LeafSlot(page: page, entryAddress: address, level: level, entry: entry))
            } else if level > 1 {
                visit(
                    table: entry.address, level: level - 1, base: page, start: max(start, page),
                    end: min(end, page + span), into: &leaves)
            }
        }
    }
}
