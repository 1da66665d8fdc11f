import VMMachine

/// The architectures `machine ARCH` builds with a kernel, each in one entry:
/// how it reads its own options, which of x86's it refuses and why, and the
/// features its `machine` line names. The textbook machines (csapp, ostep,
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
        refusedOptions: ["pcid", "kpti", "pge", "smep", "smap", "tlb_model"], refusal: MachineCommands.notOnRISCV,
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

    static let aarch64 = MachinePreset(
        name: "aarch64", ownOptions: ["asid"],
        refusedOptions: ["pcid", "kpti", "pge", "smep", "smap", "tlb_model", "shootdown"],
        refusal: MachineCommands.notOnARM,
        configure: { configuration, _, _ in
            configuration.architecture = .aarch64
            // PXN on every user page and PAN: the kernel neither runs nor touches user pages by accident.
            configuration.smep = true
            configuration.smap = true
        },
        features: { _ in
            ["4 KiB granule, 48-bit addresses (TTBR0_EL1 below, TTBR1_EL1 above), the kernel's table in TTBR1, never switched"]
        })

    static let mips32 = MachinePreset(
        name: "mips32", ownOptions: ["asid"],
        refusedOptions: ["pcid", "kpti", "kernel", "pge", "smep", "smap", "tlb_model", "tlb", "tlb_ways", "frames"],
        refusal: MachineCommands.notOnMIPS,
        configure: { configuration, _, _ in configuration.architecture = .mips32 },
        features: { _ in
            ["R4000-style: no hardware walker, a 48-entry TLB of page pairs refilled by the kernel, kseg0/kseg1 unmapped"]
        })

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
