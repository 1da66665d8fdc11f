import Testing

@testable import VMLanguage

/// aarch64 in the language: its options and refusals, ESR and the two base
/// registers in the transcript, and the tlbi command.
@Suite struct ARMCommandTests {
    @Test(arguments: [
        ("machine aarch64 pcid=on", "pcid= is x86's: aarch64 tags TLB entries with ASIDs in TTBR0_EL1 (asid=on)"),
        ("machine aarch64 kpti=on", "kpti= is x86's: aarch64's kernel table is TTBR1's and is never switched (kernel=split)"),
        ("machine aarch64 kernel=shared", "kernel=shared: aarch64 maps its kernel through TTBR1_EL1, which the upper half of every address uses; kernel=split is its design"),
        ("machine aarch64 shootdown=off", "shootdown= chooses x86's IPIs: aarch64 invalidates other cores' TLBs by broadcast (tlbi … is), with no IPIs to leave out"),
        ("machine aarch64\nsfence_vma", "'sfence_vma' is a RISC-V instruction; aarch64 invalidates its TLB with tlbi (and lets the kernel touch user pages with uaccess { … }, which clears PSTATE.PAN)"),
        ("tlbi vmalle1", "'tlbi' is an ARM instruction; x86_64 invalidates its TLB with invlpg, invpcid and flush tlb"),
        ("machine aarch64\nprint cpu.cr3", "aarch64 has no cpu.cr3: its registers are cpu.ttbr0, cpu.ttbr1, cpu.far and cpu.asid (cpu.root for the root table, cpu.base_writes for the base register's writes)"),
        ("machine aarch64\nspawn A\nswitch A\nread 1\nprint last.error_code", "aarch64 has no last.error_code: its fault code is last.esr"),
        ("machine aarch64\nspawn A\nswitch A\nsyscall { tlbi vae1 }", "tlbi vae1 invalidates one address: give it (tlbi vae1 ADDR)"),
        ("machine aarch64\nspawn A\nswitch A\nsyscall { tlbi aside1 0x1000 }", "tlbi aside1 takes no address"),
        ("machine aarch64\nspawn A\nmap A 0x1000000000000", "0x1000000000000 is not in the user half (0 to 0xffffffffffff); the kernel half is shared and is not mapped per process"),
    ])
    func errors(source: String, message: String) {
        let result = run(source)
        #expect(result.status == .error)
        #expect(result.output.contains("error: " + message + "\n"), "\(result.output)")
    }

    /// ESR_EL1: a data abort from EL0 with its fault status, WnR on a write;
    /// an instruction abort; FAR_EL1 the address.
    @Test func esrNamesTheAbort() {
        let result = run("""
            machine aarch64
            spawn A
            map A 0x400000 r
            switch A
            read 0x400000
            print last.esr
            read 0x500000
            print hex(last.esr), hex(cpu.far)
            write 0x400000 1
            print hex(last.esr)
            exec 0x400000
            print hex(last.esr)
            """, quiet: true)
        #expect(result.output == "0\n0x92000007 0x500000\n0x9200004f\n0x8200000f\n", "\(result.output)")
    }

    @Test func theKernelHalfIsTTBR1s() {
        let result = run("""
            machine aarch64
            spawn A
            switch A
            syscall { read 0xffff000000001000 }
            show cpu
            """)
        #expect(result.output.contains("its user half only; the kernel's L0 at 0x200000 stays in TTBR1_EL1"), "\(result.output)")
        #expect(
            result.output.contains(
                "TTBR1_EL1 0x200000 (the kernel's L0, loaded at boot; with TCR_EL1.A1 = 1 its bits 63:48 are the ASID"),
            "\(result.output)")
        #expect(result.output.contains("msr") == false && !result.output.contains("CR3"), "\(result.output)")
    }

    /// A drawing names the register a process's root is loaded into.
    @Test func pagetableDrawingsNameTTBR0() {
        let result = run("machine aarch64\nspawn A\nmap A 0x400000 rw\nshow pagetable A format=dot\n", quiet: true)
        #expect(result.output.contains("label=\"A (pid 1)\\nTTBR0_EL1\"]"), "\(result.output)")
    }

    /// The legend keys only what is drawn, in the machine's words: KPTI's
    /// dashed user copy only where a process has one, the root by its name.
    @Test func theLegendNamesWhatIsDrawn() {
        let plain = run("machine riscv64\nspawn A\nshow pagetable A format=dot\n", quiet: true).output
        #expect(!plain.contains("legend_kpti") && plain.contains("every L2 points at it"), "\(plain)")
        let isolated = run("machine x86_64 kpti=on\nspawn A\nshow pagetable A format=dot\n", quiet: true).output
        #expect(isolated.contains("legend_kpti\" [style=dashed, label=\"{user PML4 (KPTI)|used in user mode}\"]"), "\(isolated)")
    }
}
