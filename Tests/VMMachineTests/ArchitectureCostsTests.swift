import Testing

@testable import VMMachine

/// Each architecture is charged its own figures, not x86's: a satp write is
/// a CSR write, a MIPS refill a short handler rather than a system call.
@Suite struct ArchitectureCostsTests {
    @Test func aMachineStartsFromItsArchitecturesFigures() {
        var configuration = MachineConfiguration()
        #expect(configuration.costs == CostModel())
        configuration.architecture = .riscv64Sv39
        #expect(configuration.costs.baseRegisterWrite == 20 && configuration.costs.invlpg == 250)
        configuration.architecture = .mips32
        #expect(configuration.costs.refillHandler == 20 && configuration.costs.baseRegisterWrite == 10)
        configuration.architecture = .aarch64
        #expect(configuration.costs.baseRegisterWrite == 50 && configuration.costs.invlpg == 500)
        // A figure set after the architecture stays.
        configuration.costs.baseRegisterWrite = 7
        #expect(configuration.costs.baseRegisterWrite == 7)
    }

    /// A MIPS refill is charged the refill handler's figure, not a kernel entry's.
    @Test func aRefillIsChargedTheHandlersFigure() throws {
        var configuration = MachineConfiguration()
        configuration.architecture = .mips32
        configuration.costs.refillHandler = 1_234
        configuration.costs.walkReference = 0
        configuration.costs.tlbHit = 0
        let machine = try Machine(configuration)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x400000, size: 0x2000, protection: .readWrite)
        try machine.switchTo(a.pid)
        let before = machine.cores[0].cycles.translation
        let read = try machine.access(0x400000, kind: .read)
        #expect(read.refill != nil)
        #expect(machine.cores[0].cycles.translation - before == 1_234)
    }

    @Test func everyOwnFigureNamesItsSource() {
        for architecture in [Architecture.riscv64Sv39, .aarch64, .mips32] {
            for path in [\CostModel.baseRegisterWrite, \.invlpg, \.tlbFlush, \.kernelEntry] {
                let figure = architecture.ownCost(path)
                #expect(figure != nil && !figure!.source.isEmpty, "\(architecture.name)")
            }
        }
        #expect(Architecture.x86_64.ownCost(\.baseRegisterWrite) == nil)
    }
}
