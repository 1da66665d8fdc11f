import VMMachine

/// The architectures `machine ARCH` builds with a kernel, each in one entry:
/// how it reads its own options, which of x86's it refuses and why (each
/// refusal names what the machine has instead), and the features its
/// `machine` line names. A new architecture is one more entry here, beside
/// its file in VMMachine/Architectures. The textbook machines (csapp, ostep,
/// custom) are shaped by GeometryOptions instead.
struct MachinePreset: Sendable {
    let name: String
    /// Geometry options it takes despite its fixed geometry (x86_64's levels=).
    var geometryOptions: Set<String> = []
    /// Options only it (and its kin) takes: every other preset refuses them.
    var ownOptions: Set<String> = []
    /// x86 options with no meaning here, each refused with `refusal`'s reason.
    var refusedOptions: [String] = []
    var refusal: @Sendable (String) -> String = { _ in "" }
    /// Sets the architecture and the preset's own defaults from the call.
    let configure: @Sendable (inout MachineConfiguration, BoundCommand, Interpreter) throws -> Void
    /// What the `machine` line says of this architecture, before the options' features.
    let features: @Sendable (Architecture) -> [String]

    static let all: [MachinePreset] = [x86_64, i386, riscv64, aarch64, mips32]

    static func named(_ name: String) -> MachinePreset? { all.first { $0.name == name } }

    static let x86_64 = MachinePreset(
        name: "x86_64", geometryOptions: ["levels"],
        configure: { configuration, call, interpreter in
            guard let option = call.option("levels") else { return }
            // 4-level paging, or LA57's 5 (CR4.LA57: a PML5 above the PML4).
            switch try interpreter.integer(option.value, "levels") {
            case 4: configuration.architecture = .x86_64
            case 5: configuration.architecture = .x86_64_la57
            case let other:
                throw Diagnostic(
                    "x86_64 walks 4 levels (PML4) or, with LA57, 5 (PML5); not \(other)", at: option.value.range)
            }
        },
        features: { architecture in architecture.levels == 5 ? ["5-level paging (LA57: PML5, 57-bit addresses)"] : [] })

    static let i386 = MachinePreset(
        name: "i386", ownOptions: ["pae"],
        configure: { configuration, call, interpreter in
            configuration.architecture =
                call.option("pae").map { interpreter.word($0.value) == "on" } == true ? .i386PAE : .i386
        },
        features: { architecture in
            architecture == .i386PAE
                ? ["PAE (PDPT, PD and PT, 8-byte entries with NX, 2 MiB pages, the 4 PDPTEs loaded with CR3)"]
                : ["32-bit paging (PD and PT, 4-byte entries, 4 MiB pages, no NX)"]
        })

    static let riscv64 = MachinePreset(
        name: "riscv64", ownOptions: ["mode", "asid"],
        refusedOptions: ["pcid", "kpti", "pge", "smep", "smap", "tlb_model"], refusal: MachinePreset.notOnRISCV,
        configure: { configuration, call, interpreter in
            configuration.architecture =
                call.option("mode").map { interpreter.word($0.value) == "sv48" } == true ? .riscv64Sv48 : .riscv64Sv39
            // S-mode never executes a U page, and touches one only with
            // sstatus.SUM set: SMEP and SMAP, always on.
            configuration.smep = true
            configuration.smap = true
        },
        features: { architecture in
            [
                "\(architecture.levels == 3 ? "Sv39" : "Sv48") (\(architecture.levels) levels, "
                    + "\(architecture.virtualBits)-bit addresses, leaves at any level)"
            ]
        })

    /// Why an x86 option has no meaning on RISC-V.
    static func notOnRISCV(_ option: String) -> String {
        switch option {
        case "pcid": return "pcid= is x86's: riscv64 tags TLB entries with satp's ASIDs (asid=on)"
        case "kpti": return "kpti= is x86's: Linux isolates no page tables on riscv64 (kernel=separate is xv6's design)"
        case "pge": return "pge= is x86's CR4.PGE: riscv64 always honours a PTE's G bit"
        case "smep", "smap":
            return "\(option)= is x86's: riscv64's S-mode never executes U pages and touches them only with sstatus.SUM set"
        default: return "tlb_model= describes a 64-bit Intel core's TLBs; riscv64 has the unified one"
        }
    }

    static let aarch64 = MachinePreset(
        name: "aarch64", ownOptions: ["asid"],
        refusedOptions: ["pcid", "kpti", "pge", "smep", "smap", "tlb_model", "shootdown"],
        refusal: MachinePreset.notOnARM,
        configure: { configuration, _, _ in
            configuration.architecture = .aarch64
            // PXN on every user page and PAN: the kernel neither runs nor touches user pages by accident.
            configuration.smep = true
            configuration.smap = true
        },
        features: { _ in
            ["4 KiB granule, 48-bit addresses (TTBR0_EL1 below, TTBR1_EL1 above), the kernel's table in TTBR1, never switched"]
        })

    /// Why an x86 option has no meaning on ARM.
    static func notOnARM(_ option: String) -> String {
        switch option {
        case "pcid": return "pcid= is x86's: aarch64 tags TLB entries with ASIDs in TTBR0_EL1 (asid=on)"
        case "kpti": return "kpti= is x86's: aarch64's kernel table is TTBR1's and is never switched (kernel=split)"
        case "pge": return "pge= is x86's CR4.PGE: on aarch64 an entry is global unless its nG bit is set"
        case "smep", "smap":
            return "\(option)= is x86's: aarch64 sets PXN on every user page and runs with PAN on (uaccess { … } clears it)"
        case "shootdown":
            return "shootdown= chooses x86's IPIs: aarch64 invalidates other cores' TLBs by broadcast (tlbi … is), with no IPIs to leave out"
        default: return "tlb_model= describes a 64-bit Intel core's TLBs; aarch64 has the unified one"
        }
    }

    static let mips32 = MachinePreset(
        name: "mips32", ownOptions: ["asid"],
        refusedOptions: ["pcid", "kpti", "kernel", "pge", "smep", "smap", "tlb_model", "tlb", "tlb_ways", "frames"],
        refusal: MachinePreset.notOnMIPS,
        configure: { configuration, _, _ in configuration.architecture = .mips32 },
        features: { _ in
            ["R4000-style: no hardware walker, a 48-entry TLB of page pairs refilled by the kernel, kseg0/kseg1 unmapped"]
        })

    /// Why an option has no meaning on MIPS.
    static func notOnMIPS(_ option: String) -> String {
        switch option {
        case "pcid": return "pcid= is x86's: mips32 tags TLB entries with EntryHi's ASID (asid=on)"
        case "kpti", "kernel":
            return "\(option)= chooses how page tables map the kernel: mips32's kernel is in kseg0, which no page table maps"
        case "pge": return "pge= is x86's CR4.PGE: a mips32 TLB entry is global when both EntryLo G bits are set"
        case "smep", "smap": return "\(option)= is x86's: mips32 keeps user code out of the kernel by segment (kuseg ends at 0x7fffffff)"
        case "tlb", "tlb_ways", "tlb_model": return "\(option)= sizes a TLB: mips32's is the R4000's, 48 fully associative entries of page pairs"
        default:
            return "frames= needs accessed bits to choose what to evict: mips32's entries have none in hardware (Linux emulates them with TLB Invalid faults, which vmlab does not model)"
        }
    }

    /// Refuses another preset's own option (`pae=` on riscv64), naming whose it is.
    func checkOwnOptions(_ call: BoundCommand, _ configuration: MachineConfiguration) throws {
        for option in ["pae", "mode", "asid"] where !ownOptions.contains(option) {
            guard let given = call.option(option) else { continue }
            switch option {
            case "pae": throw Diagnostic("pae= is i386's: \(name) has its own paging", at: given.nameRange)
            case "mode": throw Diagnostic("mode= is riscv64's (satp's MODE): \(name) has its own paging", at: given.nameRange)
            default:
                throw Diagnostic(
                    "asid= is riscv64's, aarch64's and mips32's: "
                        + (configuration.architecture.supportsPCID
                            ? "\(name) tags TLB entries with PCIDs (pcid=on)" : "\(name) has no ASIDs"),
                    at: given.nameRange)
            }
        }
    }
}
