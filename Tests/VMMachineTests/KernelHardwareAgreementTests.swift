import Testing

@testable import VMMachine

/// The kernel's view of memory (each process's regions) and the
/// hardware's (what the MMU's walk finds from the base register) must agree
/// on every page, whatever sequence of map, mprotect, unmap and fork made
/// them, on every preset. A refused operation (an overlap, a split of a
/// shared huge page) must leave both views as they were. The sequences are
/// random but seeded, so a failure names a seed that reproduces it.
@Suite struct KernelHardwareAgreementTests {
    struct Preset: CustomTestStringConvertible, Sendable {
        let name: String
        let architecture: Architecture
        var kpti = false
        var testDescription: String { name }
    }

    static let presets: [Preset] = [
        Preset(name: "x86_64", architecture: .x86_64),
        Preset(name: "x86_64 kpti=on", architecture: .x86_64, kpti: true),
        Preset(name: "x86_64 levels=5", architecture: .x86_64_la57),
        Preset(name: "i386", architecture: .i386),
        Preset(name: "i386 pae=on", architecture: .i386PAE),
        Preset(name: "riscv64 sv39", architecture: .riscv64Sv39),
        Preset(name: "riscv64 sv48", architecture: .riscv64Sv48),
        Preset(name: "aarch64", architecture: .aarch64),
        Preset(name: "mips32", architecture: .mips32),
    ]

    /// SplitMix64: a seeded sequence, the same on every platform.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    static let smallBase: UInt64 = 0x40_0000
    static let smallPages = 16
    static let hugeBase: UInt64 = 0x4000_0000
    static let hugePages = 3

    @Test(arguments: presets, [1, 2, 3])
    func regionsAndWalksAgreeOnEveryPage(preset: Preset, seed: UInt64) throws {
        var configuration = MachineConfiguration()
        configuration.architecture = preset.architecture
        configuration.kpti = preset.kpti
        configuration.ramBytes = 64 << 20
        let machine = try Machine(configuration)
        let architecture = machine.architecture
        let huge = architecture.pageSizes.dropFirst().first  // 2 MiB, or i386's 4 MiB; none on MIPS
        var random = Random(state: seed &* 0x1000_0001 ^ UInt64(preset.name.utf8.count))
        var pids = [try machine.spawn(name: "P0").pid]
        let protections: [Protection] = [.readOnly, .readWrite, .readExecute, .readWriteExecute]
        var done = 0
        for step in 0..<70 {
            let pid = pids[random.below(pids.count)]
            let useHuge = huge != nil && random.below(4) == 0
            let (address, size): (UInt64, UInt64)
            if useHuge, let huge {
                address = Self.hugeBase + UInt64(random.below(Self.hugePages)) * huge
                // Usually whole huge pages; sometimes a 4 KiB-aligned piece, which THP splits.
                size = random.below(3) == 0 ? UInt64(1 + random.below(8)) * 0x1000 : huge
            } else {
                address = Self.smallBase + UInt64(random.below(Self.smallPages)) * 0x1000
                size = UInt64(1 + random.below(4)) * 0x1000
            }
            let protection = protections[random.below(protections.count)]
            let operation = random.below(10)
            let description: String
            do {
                switch operation {
                case 0..<4:
                    description = "map \(hex(address)) \(hex(size)) \(protection.spelling)"
                    try machine.map(
                        pid, at: address, size: size, protection: protection,
                        pageSize: useHuge && size == huge ? size : 0x1000)
                case 4..<6:
                    description = "mprotect \(hex(address)) \(hex(size)) \(protection.spelling)"
                    try machine.protect(pid, at: address, size: size, protection: protection)
                case 6..<8:
                    description = "unmap \(hex(address)) \(hex(size))"
                    try machine.unmap(pid, at: address, size: size)
                default:
                    description = "fork"
                    if pids.count < 4 { pids.append(try machine.fork(pid, childName: "P\(step)").child.pid) }
                }
                done += 1
            } catch {
                continue  // refused: the views must still agree (checked on the next step's pass too)
            }
            for pid in pids {
                try checkAgreement(machine, pid, huge: huge, context: "seed \(seed) step \(step): \(description)")
            }
        }
        #expect(done >= 25, "most operations were carried out, not refused (\(done) of 70)")
    }

    /// Every page of both windows: a region means a leaf of its page size
    /// with its rights (write only where the page is not shared
    /// copy-on-write), no region means the walk faults; the kernel's own
    /// walk finds the same leaf.
    private func checkAgreement(_ machine: Machine, _ pid: ProcessID, huge: UInt64?, context: String) throws {
        try machine.switchTo(pid)
        let process = try #require(machine.process(pid))
        let architecture = machine.architecture
        let hasNoExecute = architecture.encoding != .mips && (architecture.encoding != .x86 || architecture.format.noExecute != 0)
        var pages = (0..<Self.smallPages).map { Self.smallBase + UInt64($0) * 0x1000 }
        if let huge {
            for index in 0..<Self.hugePages {
                let base = Self.hugeBase + UInt64(index) * huge
                pages += stride(from: base, to: base + huge, by: Int(huge / 8)).map { $0 } + [base + 0x1000, base + huge - 0x1000]
            }
        }
        for page in pages {
            var trace = WalkTrace(keepsSteps: false)
            let end = machine.hardware.walkTables(page, core: 0, trace: &trace)
            let region = process.regions.first { $0.start <= page && page < $0.end }
            let kernelLeaf = machine.lookup(root: process.root, page)
            guard let region else {
                if case .leaf = end { Issue.record("\(context): \(hex(page)) has no region but the MMU maps it") }
                #expect(kernelLeaf == nil, "\(context): \(hex(page)) has no region but the kernel's walk finds a leaf")
                continue
            }
            guard case .leaf(let raw, let level, let writable, let user, let noExecute, _) = end else {
                Issue.record("\(context): \(hex(page)) is in region \(hex(region.start)) but the MMU's walk faults")
                continue
            }
            let physical = architecture.target(of: raw, level: level) & ~(region.pageSize - 1)
            let shared = machine.mappingCount(physical) > 1
            #expect(architecture.span(ofLevel: level) == region.pageSize, "\(context): \(hex(page)) page size")
            // Write only where the region allows it and no one else maps the page. (A page that
            // was shared and no longer is stays read-only until its write fault reuses it.)
            if writable { #expect(region.protection.write && !shared, "\(context): \(hex(page)) write right") }
            if shared { #expect(!writable, "\(context): \(hex(page)) is shared copy-on-write") }
            #expect(noExecute == (hasNoExecute && !region.protection.execute), "\(context): \(hex(page)) execute right")
            #expect(user, "\(context): \(hex(page)) is a user page")
            #expect(kernelLeaf?.level == level && kernelLeaf?.entry.address == architecture.target(of: raw, level: level),
                "\(context): \(hex(page)) the kernel's walk finds the MMU's leaf")
        }
    }

    private func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
}
