import Foundation
import Testing

/// `vmlab replay FILE`: a fresh machine with the machine's options as flags.
@Suite struct ReplayCommandTests {
    @Test func jsonHasExactlyTheKeysScriptsReadAndTheOptionsReachTheMachine() throws {
        let trace = "Examples/traces/matrix-by-columns.lackey"
        let small = try CLITests.vmlab(["replay", trace, "--tlb", "16", "--tlb-ways=4", "--format", "json"])
        #expect(small.status == 0, "\(small.stderr)")
        // 1,024 loads that all miss, plus the first touches (twice each) of the 34 pages.
        #expect(small.stdout == """
            {"references": 4096, "tlb_hits": 4094, "tlb_misses": 1060, "walks": 1060, "minor_faults": 34, \
            "major_faults": 0, "evictions": 0, "writebacks": 0, "cycles": 164369}

            """)
        let object = try JSONSerialization.jsonObject(with: Data(small.stdout.utf8)) as? [String: Int]
        #expect(object?.keys.sorted() == [
            "cycles", "evictions", "major_faults", "minor_faults", "references", "tlb_hits", "tlb_misses", "walks",
            "writebacks",
        ])
        // A 64-entry TLB holds the matrix's 32 pages: only first touches miss.
        let large = try CLITests.vmlab(["replay", trace, "--tlb", "64", "--format", "json"])
        #expect(large.stdout.contains("\"tlb_misses\": 68,"), "\(large.stdout)")
    }

    /// Belady's string: OPT faults 7 times with 3 frames (5 first touches, 2 reads back).
    @Test func replacementOptionsReachTheReplay() throws {
        let opt = try CLITests.vmlab([
            "replay", "Tests/Scripts/traces/belady.trace", "--frames", "3", "--policy", "opt", "--format", "json",
        ])
        #expect(opt.stdout.contains("\"minor_faults\": 5, \"major_faults\": 2, \"evictions\": 4, \"writebacks\": 4"), "\(opt.stdout)")
        let fifo = try CLITests.vmlab([
            "replay", "Tests/Scripts/traces/belady.trace", "--frames", "4", "--policy", "fifo", "--format", "json",
        ])
        #expect(fifo.stdout.contains("\"minor_faults\": 5, \"major_faults\": 5,"), "\(fifo.stdout)")
    }

    @Test func badOptionsAndBadLinesExitTwoWithAPlace() throws {
        let unknown = try CLITests.vmlab(["replay", "Examples/traces/matrix-by-rows.lackey", "--tlb-size", "4"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown option '--tlb-size'"))
        let invalid = try CLITests.vmlab(["replay", "Examples/traces/matrix-by-rows.lackey", "--tlb", "3"])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("<vmlab replay options>:1:"), "\(invalid.stderr)")
        let bad = try CLITests.vmlab(["replay", "Tests/Scripts/traces/bad.lackey"])
        #expect(bad.status == 2)
        #expect(bad.stdout == "")
        #expect(bad.stderr.hasPrefix("Tests/Scripts/traces/bad.lackey:4:4: error: expected a lackey reference"))
        let skipped = try CLITests.vmlab(["replay", "Tests/Scripts/traces/bad.lackey", "--skip-bad"])
        #expect(skipped.status == 0)
        #expect(skipped.stdout.contains("2 references, 1 malformed line skipped"), "\(skipped.stdout)")
        let fifo = try CLITests.vmlab(["replay", "/dev/null"])
        #expect(fifo.stderr.contains("not a regular file"), "\(fifo.stderr)")
    }
}
