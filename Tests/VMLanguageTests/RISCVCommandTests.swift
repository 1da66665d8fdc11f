import Testing

@testable import VMLanguage

/// riscv64 in the language: its options, the x86 words it refuses and
/// names the RISC-V ones for, scause, and xv6's vmprint.
@Suite struct RISCVCommandTests {
    @Test(arguments: [
        ("machine riscv64 pcid=on", "pcid= is x86's: riscv64 tags TLB entries with satp's ASIDs (asid=on)"),
        ("machine riscv64 kpti=on", "kpti= is x86's: Linux isolates no page tables on riscv64 (kernel=separate is xv6's design)"),
        ("machine riscv64 kernel=kpti", "kernel=kpti: page-table isolation is modeled on x86_64 with 4 levels, not on riscv64 mode=sv39"),
        ("machine riscv64 mode=sv48 kernel=separate", "kernel=separate (xv6's design) is modeled on x86_64 with 4 levels and riscv64 mode=sv39, not on riscv64 mode=sv48"),
        ("machine riscv64 kernel=split", "kernel=split is ARM's design (the kernel's table in TTBR1, never switched): riscv64 has one satp"),
        ("machine riscv64 pge=off", "pge= is x86's CR4.PGE: riscv64 always honours a PTE's G bit"),
        ("machine riscv64 smep=on", "smep= is x86's: riscv64's S-mode never executes U pages and touches them only with sstatus.SUM set"),
        ("machine riscv64 tlb_model=skylake", "tlb_model= describes a 64-bit Intel core's TLBs; riscv64 has the unified one"),
        ("machine x86_64 asid=on", "asid= is riscv64's, aarch64's and mips32's: x86_64 tags TLB entries with PCIDs (pcid=on)"),
        ("machine i386 asid=on", "asid= is riscv64's, aarch64's and mips32's: i386 has no ASIDs"),
        ("machine x86_64 mode=sv39", "mode= is riscv64's (satp's MODE): x86_64 has its own paging"),
        ("machine riscv64\nspawn A\nmap A 0x400000 page=4M", "page=4 MiB is not a riscv64 mode=sv39 page size; use 4K, 2M or 1G"),
        ("machine riscv64\nspawn A\nmap A 0x4000000000", "0x4000000000 is not in the user half (0 to 0x3fffffffff); the kernel half is shared and is not mapped per process"),
        ("machine riscv64\nprint index(0, 4)", "level must be 1 to 3 (3 = L2, 2 = L1, 1 = L0), got 4"),
        ("machine riscv64\nprint cpu.cr3", "riscv64 mode=sv39 has no cpu.cr3: its registers are cpu.satp, cpu.stval and cpu.asid (cpu.root for the root table, cpu.base_writes for the base register's writes)"),
        ("print cpu.satp", "x86_64 has no cpu.satp: its registers are cpu.cr3, cpu.cr2 and cpu.pcid (cpu.root for the root table, cpu.base_writes for the base register's writes)"),
        ("machine riscv64\nspawn A\nswitch A\nread 1\nprint last.error_code", "riscv64 mode=sv39 has no last.error_code: its fault code is last.scause"),
        ("spawn A\nswitch A\nread 1\nprint last.scause", "x86_64 has no last.scause: its fault code is last.error_code"),
        ("machine riscv64\ninvlpg 0x1000", "'invlpg' is an x86 instruction; riscv64 mode=sv39 invalidates its TLB with sfence_vma (and lets S-mode touch U pages with uaccess { … }, which sets sstatus.SUM)"),
        ("machine riscv64\nstac", "'stac' is an x86 instruction; riscv64 mode=sv39 invalidates its TLB with sfence_vma (and lets S-mode touch U pages with uaccess { … }, which sets sstatus.SUM)"),
        ("sfence_vma", "'sfence_vma' is a RISC-V instruction; x86_64 invalidates its TLB with invlpg, invpcid and flush tlb"),
        ("machine riscv64\nsfence_vma asid=65536", "asid=65536: an ASID has at most 16 bits (0 to 65535)"),
    ])
    func errors(source: String, message: String) {
        let result = run(source)
        #expect(result.status == .error)
        #expect(result.output.contains("error: " + message + "\n"), "\(result.output)")
    }

    /// scause: 13 for a load, 15 for a store, 12 for a fetch, 2 for an illegal instruction; 0 without a trap.
    @Test func scauseNamesTheAccess() {
        let result = run("""
            machine riscv64
            spawn A
            map A 0x400000 r
            switch A
            read 0x400000
            print last.scause
            read 0x500000
            print last.scause, cpu.stval
            write 0x400000 1
            print last.scause
            exec 0x400000
            print last.scause
            sfence_vma
            print last.scause
            """, quiet: true)
        #expect(result.output == "0\n13 5242880\n15\n12\n2\n", "\(result.output)")
    }

    @Test func faultLinesSayScauseAndStval() {
        let result = run("machine riscv64\nspawn A\nswitch A\nread 0x500000\n")
        #expect(
            result.output.contains(
                "page fault (V = 0 at L2, scause 13: load page fault, stval 0x500000) -> kernel: segmentation fault"),
            "\(result.output)")
    }

    /// xv6's vmprint: the root, then each valid entry depth first, " .." per level.
    @Test func vmprintPrintsAsXv6Does() {
        let result = run("""
            machine riscv64 kernel=separate
            spawn A
            map A 0x1000 rw
            show pagetable A format=vmprint
            """, quiet: true)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("page table 0x0000000000") == true, "\(result.output)")
        // The root line, 3 steps to 0x1000, 2 to TRAPFRAME's table, then TRAPFRAME and TRAMPOLINE, as in xv6's.
        #expect(lines.count == 8, "\(result.output)")
        #expect(lines[1].hasPrefix(" ..0: pte 0x") && lines[2].hasPrefix(" .. ..0: pte ") && lines[3].hasPrefix(" .. .. ..1: pte "))
        #expect(lines[4].hasPrefix(" ..255: pte ") && lines[5].hasPrefix(" .. ..511: pte "), "\(result.output)")
        // xv6's flags as mappages writes them: TRAPFRAME V R W (0x07), TRAMPOLINE V R X (0x0b).
        #expect(lines[6].hasPrefix(" .. .. ..510: pte 0x00000000000") && lines[6].contains("07 pa "), "\(result.output)")
        #expect(lines[7].hasPrefix(" .. .. ..511: pte 0x000000000000040b pa 0x0000000000001000"), "\(result.output)")
    }

    /// RISC-V's words where x86 has its own: satp, sfence.vma, csrs sstatus.
    @Test func riscvWordsInTheTranscript() {
        let result = run("""
            machine riscv64
            spawn A
            spawn B
            switch A
            switch B
            syscall { uaccess { } }
            """)
        #expect(result.output.contains("satp 0x8000000000000"), "\(result.output)")
        #expect(result.output.contains("sfence.vma dropped"), "\(result.output)")
        #expect(result.output.contains("csrs sstatus, SUM on cpu 0: sstatus.SUM set"), "\(result.output)")
        #expect(!result.output.contains("CR3") && !result.output.contains("EFLAGS"), "\(result.output)")
    }
}
