import Testing

@testable import VMLanguage

/// mips32 in the language: its refusals, Cause.ExcCode, and the refill in the transcript.
@Suite struct MIPSCommandTests {
    @Test(arguments: [
        ("machine mips32 pcid=on", "pcid= is x86's: mips32 tags TLB entries with EntryHi's ASID (asid=on)"),
        ("machine mips32 kernel=separate", "kernel= chooses how page tables map the kernel: mips32's kernel is in kseg0, which no page table maps"),
        ("machine mips32 tlb=64", "tlb= sizes a TLB: mips32's is the R4000's, 48 fully associative entries of page pairs"),
        ("machine mips32 frames=4", "frames= needs accessed bits to choose what to evict: mips32's entries have none in hardware (Linux emulates them with TLB Invalid faults, which vmlab does not model)"),
        ("machine mips32\ninvlpg 1", "'invlpg' is an x86 instruction; mips32's TLB is written by the kernel's software (the refill handler's tlbwr, update_mmu_cache's tlbwi): show tlb lists it"),
        ("machine mips32\nspawn A\nswitch A\nread 1\nprint last.error_code", "mips32 has no last.error_code: its fault code is last.exccode"),
        ("machine mips32 ram=1G", "ram=1 GiB is not allowed: RAM must be a multiple of 4 MiB from 4 MiB to 512 MiB"),
        ("print cpu.refills", "x86_64 has no cpu.refills: its registers are cpu.cr3, cpu.cr2 and cpu.pcid (cpu.root for the root table, cpu.base_writes for the base register's writes)"),
    ])
    func errors(source: String, message: String) {
        let result = run(source)
        #expect(result.status == .error)
        #expect(result.output.contains("error: " + message + "\n"), "\(result.output)")
    }

    /// Cause.ExcCode: 2 TLBL (invalid on a load), 3 TLBS, 1 Mod, 4 AdEL; 0 without an exception.
    @Test func exccodeNamesTheException() {
        let result = run("""
            machine mips32
            spawn A
            map A 0x400000 rw
            mmap A 0x800000 size=8K
            switch A
            read 0x400000
            print last.exccode
            write 0x400000 1
            print last.exccode
            read 0x800000
            print last.exccode
            write 0x801000 1
            print last.exccode
            read 0x80000000
            print last.exccode, cpu.badvaddr == 0x80000000, cpu.refills
            """, quiet: true)
        // The first read's TLB Refill exception is TLBL (2), though its retry hit.
        #expect(result.output == "2\n1\n2\n3\n4 true 2\n", "\(result.output)")
    }

    /// R4000 User's Manual §5.4: a TLB Refill loads BadVAddr, Cause.ExcCode,
    /// Context's BadVPN2 and EntryHi (VPN2 and ASID) before the handler runs.
    @Test func aRefillLoadsTheExceptionRegisters() {
        let result = run("""
            machine mips32 asid=on
            spawn A
            map A 0x7f002000 rw
            switch A
            write 0x7f003008 5
            print last.exccode, cpu.exccode, cpu.badvaddr == 0x7f003008
            print cpu.entryhi == (0x7f002000 | cpu.asid), cpu.context == (0x7f003008 >> 13) << 4
            """, quiet: true)
        #expect(result.output == "3 3 true\ntrue true\n", "\(result.output)")
    }

    @Test func theRefillIsShownStepByStep() {
        let result = run("machine mips32\nspawn A\nmap A 0x400000 rw\nswitch A\nread 0x400000\nsyscall { read 0x80001000 }\n")
        #expect(
            result.output.contains(
                "read 0x400000: TLB miss, refill exception (Cause.ExcCode 2 (TLBL), EntryHi 0x400000): the handler reads PGD[1]=0x80"),
            "\(result.output)")
        #expect(result.output.contains(", tlbwr into entry "), "\(result.output)")
        #expect(result.output.contains("read 0x80001000 (kernel mode): kseg0, unmapped (no TLB), pa 0x1000"), "\(result.output)")
    }
}
