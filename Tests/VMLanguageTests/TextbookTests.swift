import Foundation
import Testing

@testable import VMLanguage
import VMMachine

/// Textbook machines from scripts: OSTEP's page dump, the commands that type
/// tables in, and the errors that say what a machine without a kernel lacks.
@Suite struct PageDumpTests {
    /// The homework's whole printout loads: ARG lines, prose with "page",
    /// the questions are skipped; page lines with or without spaces are read.
    @Test func theSimulatorsPrintoutLoadsAsItIs() throws {
        let text = """
            ARG seed 0
            page size: 32B

            page   0:\(String(repeating: "0a", count: 32))
            page   1: \(String(repeating: "1b ", count: 32))
            PDBR: 1  (decimal) [the directory's page]
            Virtual Address 611c: Translates To What Physical Address (And Fetches what Value)? Or Fault?
            """
        let dump = try PageDump.parse(text, pageSize: 32, pageCount: 4)
        #expect(dump.baseRegister == 1)
        #expect(dump.pages.map(\.number) == [0, 1])
        #expect(dump.pages[0].bytes == Array(repeating: 0x0A, count: 32))
        #expect(dump.pages[1].bytes == Array(repeating: 0x1B, count: 32))
    }

    @Test(arguments: [
        ("page   9:" + String(repeating: "00", count: 32), 1, 8, "page 9 is past this machine's 4 pages (0 to 3)"),
        ("page   1:" + String(repeating: "00", count: 31), 1, 8, "page 1 holds 31 bytes; this machine's pages hold 32"),
        ("page   1:" + String(repeating: "00", count: 31) + "0", 1, 8, "page 1 has an odd number of hex digits"),
        ("\npage 2:00zz", 2, 10, "'z' is not a hex digit"),
        ("page 0:" + String(repeating: "00", count: 32) + "\npage 0:" + String(repeating: "00", count: 32), 2, 6,
         "page 0 appears twice (first on line 1)"),
        ("PDBR: 7", 1, 7, "frame 7 is past this machine's 4 pages"),
        ("nothing here", 1, 1, "no 'page N:' lines: this is not a page dump"),
    ])
    func aDumpThatDoesNotFitIsALocatedError(text: String, line: Int, column: Int, message: String) {
        #expect(throws: PageDump.BadLine(line: line, column: column, message: message)) {
            try PageDump.parse(text, pageSize: 32, pageCount: 4)
        }
    }

    /// show memory prints what load reads: a machine's memory round-trips.
    @Test func showMemoryAndLoadRoundTrip() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-dump-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = run("machine ostep\npoke 0x21 0xa1\npoke 0xfff 0x7f\nshow memory")
        #expect(first.status == .success)
        let dump = first.output.split(separator: "\n").filter { $0.hasPrefix("page") }.joined(separator: "\n")
        #expect(dump.split(separator: "\n").count == 128)
        let path = directory.appendingPathComponent("dump.txt").path
        try (dump + "\nPDBR: 5 (decimal)\n").write(toFile: path, atomically: true, encoding: .utf8)
        let second = run("machine ostep\nload \"\(path)\"\nprint hex(phys(0x21)), hex(phys(0xfff)), hex(phys(0x22)), cpu.ptbr, cpu.root")
        #expect(second.output.hasSuffix("0xa1 0x7f 0x0 5 160\n"), "\(second.output)")
    }
}

@Suite struct TextbookCommandTests {
    @Test(arguments: [
        ("machine csapp\nspawn A", "'spawn' needs the kernel model, and machine csapp has none"),
        ("machine ostep\nsyscall", "'syscall' needs the kernel model, and machine ostep has none"),
        ("machine csapp pcid=on", "pcid= belongs to x86_64's kernel model; machine csapp has no kernel"),
        ("machine x86_64 vbits=14", "vbits= shapes a textbook machine (csapp, ostep, custom); x86_64's geometry is fixed"),
        ("machine custom vbits=15 page=64 index=\"5,5\"",
         "machine custom: index bits 5 + 5 = 10 plus a 6-bit page offset make 16-bit addresses, not vbits=15"),
        ("machine custom frame=\"7\"", "frame=\"7\" must be the field's high and low bits, as \"6:0\""),
        ("machine csapp\nread 0x4000", "0x4000 does not fit in this machine's 14-bit virtual addresses (below 0x4000)"),
        ("machine csapp\nptbr 64", "physical address 0x1000 is not inside one frame of RAM (below 0x1000)"),
        ("ptbr 1", "setting CR3 by hand needs the kernel model, and machine x86_64 has none"),
        ("tlbset 0 0 tag=1", "tlbset types in a textbook machine's TLB (csapp, ostep, custom); x86_64's TLB fills from walks"),
        ("machine csapp\ntlbset 0 0", "tlbset needs the entry's tag: tlbset 0 0 tag=0x3 ppn=0xd"),
        ("machine csapp\ntlbset 4 0 tag=1", "no TLB slot at set 4, way 0: this TLB has sets 0 to 3 and ways 0 to 3"),
        ("machine csapp\npoke 0x10 0x100", "0x100 does not fit in 1 byte"),
        ("machine csapp\npoke 0x1000 1", "physical address 0x1000 is not inside one frame of RAM (below 0x1000)"),
        ("machine csapp\nprint table_entry(0x40)", "PPN 0x40 does not fit in the 6-bit frame field of a csapp entry"),
        ("machine csapp\nprint table_entry(1, \"w\")", "a csapp entry has no writable bit"),
        ("machine csapp\nshow pagetable", "'show pagetable' shows the kernel's records, and machine csapp has no kernel"),
        ("show memory", "'show memory' prints a textbook machine's memory"),
        ("load \"x\"", "load fills a textbook machine's memory (csapp, ostep, custom)"),
        ("machine csapp\ntlbset 0 0 tag=1 writable=0", "a csapp entry has no writable bit, so its TLB entries have none"),
        ("machine csapp\nprint index(0, 2)", "level must be 1 to 1 on machine csapp (1 = PT, the leaf table), got 2"),
    ])
    func textbookMachinesSayWhatTheyLack(source: String, message: String) {
        let result = run(source)
        #expect(result.status == .error)
        #expect(result.output.contains("error: " + message), "\(result.output)")
    }

    /// Typed-in tables translate, and last.* speaks the machine's widths.
    @Test func aTypedInTableTranslates() {
        let result = run(
            """
            machine csapp
            ptbr 0x3c
            poke 0xf0f table_entry(0x0d)
            poke 0x354 0x36
            read 0x3d4
            print hex(last.vpn), hex(last.vpo), last.tlb_index, hex(last.tlb_tag), hex(last.ppn), hex(last.ppo), last.value
            print tlb_hit(0x3d4), translates(0x3d4), translates(0x40), hex(ppn(0x3d4))
            """)
        #expect(result.status == .success, "\(result.output)")
        #expect(result.output.contains("read 0x3d4: TLB miss, walk PT[15]=0x8d, pa 0x354, value 54\n"), "\(result.output)")
        #expect(result.output.hasSuffix("0xf 0x14 3 0x3 0xd 0x14 54\ntrue true false 0xd\n"), "\(result.output)")
    }

    /// A typed-in entry keeps the rights bits the format has: a read-only one refuses a write.
    @Test func aTypedInTLBEntryKeepsItsRights() {
        let result = run(
            """
            machine custom vbits=12 pbits=10 page=16 entry=2 valid=15 writable=14 frame="5:0" tlb=4 tlb_ways=2
            tlbset 1 0 tag=0x1a ppn=0x10 writable=0
            explain 0x357 kind=write
            read 0x357
            write 0x357 1
            print last.fault, tlb.misses
            """)
        #expect(result.output.contains("TLB set 1 way 0: tag 0x1a, PPN 0x10, valid, read-only\n"), "\(result.output)")
        #expect(result.output.contains("read 0x357: TLB hit, pa 0x107, value 0\n"), "\(result.output)")
        #expect(result.output.hasSuffix("write 0x357 <- 1: TLB hit, page fault (protection)\nprotection 0\n"), "\(result.output)")
    }

    /// Writes through a textbook machine's tables count against the host-memory bound as x86-64's do.
    @Test func writesAreBoundedInHostMemory() {
        var limits = Limits()
        limits.maximumFrames = 4
        let result = run(
            """
            machine custom vbits=32 pbits=32 page=4K entry=4
            quiet {
                for page in 0..<8 {
                    poke page * 4 table_entry(0x100 + page) bytes=4
                    write page << 12 1
                }
            }
            """, limits: limits)
        #expect(result.status == .error)
        #expect(result.output.contains("error: the simulation would hold data in more than 4 frames"), "\(result.output)")
    }

    @Test func numbersInAnyWidth() {
        let result = run("print hex(5, 4), bin(5, 8), bin(0), hex(0x1f), str(12) + \"!\", pad(42, 4) + \"|\", pad(\"ab\", 4) + \"|\"")
        #expect(result.output == "0x0005 0b00000101 0b0 0x1f 12!   42| ab  |\n")
    }
}

/// How a geometry that does not add up reads: every number named.
@Suite struct GeometryMessageTests {
    private static func changed(_ change: (inout Geometry) -> Void) -> Geometry {
        var geometry = Geometry.csapp
        change(&geometry)
        return geometry
    }

    @Test(arguments: [
        (Self.changed { $0.indexBits = [5, 4] }, "index bits 5 + 4 = 9 plus a 6-bit page offset make 15-bit addresses, not vbits=14"),
        (Self.changed { $0.pageSize = 48 }, "page=48 is not a power of two"),
        (Self.changed { $0.pageSize = 8 }, "page=8 is below the smallest page, 16 bytes"),
        (Self.changed { $0.pageSize = 1 << 14 }, "page=16384 needs a 14-bit offset, which leaves no VPN bits in 14-bit virtual addresses"),
        (Self.changed { $0.levels = 3 }, "14-bit addresses with 64-byte pages leave a 8-bit VPN, which 3 levels cannot split evenly: give the bits per level, index=\"…\""),
        (Self.changed { $0.entryBytes = 3 }, "entry=3 must be 1, 2, 4 or 8 bytes"),
        (Self.changed { $0.frame = (4, 0) }, "frame=4:0 holds 5 bits, but 12-bit physical addresses with 64-byte pages have 64 frames, which need 6"),
        (Self.changed { $0.frame = (9, 0) }, "frame=9:0 is not a field of a 1-byte entry (bits 7..0)"),
        (Self.changed { $0.valid = 3 }, "valid=3 overlaps another field of the entry (frame=5:0 or a bit named before it)"),
        (Self.changed { $0.dirty = 8 }, "dirty=8 is outside a 1-byte entry (bits 7..0)"),
        (Self.changed { $0.physicalBits = 40 }, "pbits=40 must be 1 to 32"),
    ])
    func theMessageNamesTheNumbers(geometry: Geometry, message: String) {
        do {
            _ = try geometry.architecture(named: "custom")
            Issue.record("\(message): accepted")
        } catch {
            #expect(error.message == message)
        }
    }
}
