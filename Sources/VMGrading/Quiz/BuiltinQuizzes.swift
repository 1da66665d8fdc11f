import VMLanguage

/// The quiz kinds `vmlab quiz` knows by name. Each is a script in the
/// language, kept here so that the executable carries it; `vmlab quiz KIND
/// --source` prints it for an instructor to copy and change (a new kind needs
/// no Swift: `vmlab quiz my-quiz.vml --seed 3`).
public enum BuiltinQuizzes {
    public static let all: [Quiz] = [csapp, ostep, tlb]

    static let csapp = Quiz(
        name: "csapp", summary: "address translation on CS:APP's small memory system: TLB and page-table tables, then three addresses",
        source: SourceFile(
            name: "<quiz csapp>",
            text: #"""
# Quiz: address translation on CS:APP's small memory system (§9.6.4).
# A TLB table and the first 16 PTEs, then three addresses to translate by
# hand. One address hits in the TLB, one misses and finds its PTE, one
# faults; which is which changes with the seed.

quiet {
    machine csapp
    # The page table's 256 one-byte entries sit in frames 0x3c..0x3f; data frames are below.
    ptbr 0x3c
}

# Three virtual pages play the three parts.
let hit_page = random(16)
let miss_page = (hit_page + 1 + random(15)) % 16
let fault_page = hit_page
while fault_page == hit_page or fault_page == miss_page { fault_page = random(16) }

quiet {
    for page in 0..<16 {
        let valid = random(4) != 0
        if page == fault_page { valid = false }
        if page == hit_page or page == miss_page { valid = true }
        if valid { poke 0xf00 + page table_entry(random(60)) }
    }
    # TLB entries for pages past the table shown (tags 4 and up), valid or not,
    # and the one entry that makes the hit.
    for set in 0..<4 {
        for way in 0..<4 { tlbset set way tag=4 + random(60) ppn=random(60) valid=random(2) }
    }
    tlbset hit_page % 4 random(4) tag=hit_page / 4 ppn=phys(0xf00 + hit_page) & 0x3f
}

print "CS:APP's small memory system: 14-bit virtual and 12-bit physical addresses, 64-byte"
print "pages, a one-level page table, a 16-entry 4-way set-associative TLB; memory is read a"
print "byte at a time. Translate each address: VPN, TLB index and tag, TLB hit?, page fault?,"
print "PPN and physical address (- where there is none)."
print ""
show tlb
print ""
print "Page table, first 16 entries:"
print "  VPN   PPN   valid"
for page in 0..<16 {
    let entry = phys(0xf00 + page)
    if entry >> 7 == 1 {
        print "  " + hex(page, 2) + "  " + hex(entry & 0x3f, 2) + "  1"
    } else {
        print "  " + hex(page, 2) + "  -     0"
    }
}

def yes_no(condition) {
    if condition { return "yes" }
    return "no"
}

let order = random(3)
for number in 1...3 {
    let part = (number + order) % 3
    let page = hit_page
    if part == 1 { page = miss_page }
    if part == 2 { page = fault_page }
    let address = page << 6 | random(64)
    let id = str(number)
    print ""
    print "Virtual address " + hex(address, 4) + ":"
    question id + ".vpn" "VPN" hex(vpn(address), 2)
    question id + ".tlbi" "TLB index (TLBI)" hex(tlb_set(address))
    question id + ".tlbt" "TLB tag (TLBT)" hex(tlb_tag(address), 2)
    question id + ".hit" "TLB hit? (yes/no)" yes_no(tlb_hit(address))
    question id + ".fault" "page fault? (yes/no)" yes_no(not translates(address))
    if translates(address) {
        question id + ".ppn" "PPN (- if none)" hex(ppn(address), 2)
        question id + ".pa" "physical address (- if none)" hex(ppn(address) << 6 | address & 0x3f, 3)
    } else {
        question id + ".ppn" "PPN (- if none)" "-"
        question id + ".pa" "physical address (- if none)" "-"
    }
}
"""#))

    static let ostep = Quiz(
        name: "ostep", summary: "two-level translation on OSTEP's homework machine: a memory dump and a PDBR, then ten addresses",
        source: SourceFile(
            name: "<quiz ostep>",
            text: #"""
# Quiz: two-level translation on OSTEP's homework machine (vm-smalltables).
# A dump of all 128 physical pages and the PDBR, then ten addresses: what
# physical address, what byte, or which fault? As in the homework, about
# half the addresses are in mapped pages. The printout is a page dump that
# load reads back.

quiet { machine ostep }

# Frames are handed out in a seeded order: start + k * step (mod 128), step odd, so each once.
let start = random(128)
let step = 2 * random(64) + 1
let handed = 0
def allocate() {
    let frame = (start + handed * step) % 128
    handed = handed + 1
    return frame
}

# An unused directory or table page holds 0x7f in every entry: not valid.
def fill(frame, byte) {
    for offset in 0..<32 { poke frame * 32 + offset byte }
}

let directory = allocate()
def mapped(page) {
    let pde = phys(directory * 32 + (page >> 5))
    if pde >> 7 == 0 { return false }
    return phys((pde & 0x7f) * 32 + (page & 31)) >> 7 == 1
}

quiet {
    pdbr directory
    fill(directory, 0x7f)
    # 64 of the 1,024 virtual pages, each in its own frame of random bytes.
    repeat 64 {
        let page = random(1024)
        while mapped(page) { page = random(1024) }
        let pde_address = directory * 32 + (page >> 5)
        if phys(pde_address) >> 7 == 0 {
            let table = allocate()
            fill(table, 0x7f)
            poke pde_address 0x80 | table
        }
        let frame = allocate()
        poke (phys(pde_address) & 0x7f) * 32 + (page & 31) 0x80 | frame
        for offset in 0..<32 { poke frame * 32 + offset random(31) }
    }
}

print "OSTEP's two-level machine: 32-byte pages, 15-bit virtual addresses (5 bits of page-directory"
print "index, 5 of page-table index, 5 of offset), 128 physical pages. Entries are one byte: bit 7"
print "valid, bits 6..0 a frame number. The PDBR holds the page directory's frame number."
print ""
show memory
print ""
print "PDBR:", directory, "(decimal: the page directory's frame)"

for number in 1...10 {
    let page = random(1024)
    if random(2) == 0 {
        while not mapped(page) { page = (page + 1) % 1024 }
    }
    let address = page << 5 | random(32)
    let id = str(number)
    let pde = phys(directory * 32 + (page >> 5))
    print ""
    print "Virtual address " + hex(address, 4) + ": what physical address and value, or a fault?"
    question id + ".pde" "the PDE's contents" hex(pde, 2)
    if pde >> 7 == 1 {
        question id + ".pte" "the PTE's contents (none if the PDE is not valid)" hex(phys((pde & 0x7f) * 32 + (page & 31)), 2)
    } else {
        question id + ".pte" "the PTE's contents (none if the PDE is not valid)" "none"
    }
    if translates(address) {
        let physical = ppn(address) << 5 | address & 31
        question id + ".pa" "the physical address (fault if none)" hex(physical, 3)
        question id + ".value" "the byte there (fault if none)" hex(phys(physical), 2)
    } else {
        question id + ".pa" "the physical address (fault if none)" "fault"
        question id + ".value" "the byte there (fault if none)" "fault"
    }
}
"""#))

    static let tlb = Quiz(
        name: "tlb", summary: "TLB hits and misses over a reference string on a small set-associative TLB",
        source: SourceFile(
            name: "<quiz tlb>",
            text: #"""
# Quiz: TLB hits and misses over a reference string. A small TLB, empty at
# the start, and twelve reads of six pages: which hit, which miss, and how
# many misses in all? The TLB's shape and the string change with the seed.

let ways = 1 + random(2)
let sets = 2
quiet {
    machine x86_64 tlb=sets * ways tlb_ways=ways
    spawn P
    map P 0x400000 size=24K
    switch P
}

# The string: twelve pages of six, three bits each in one integer.
let packed = 0
let text = ""
for number in 0..<12 {
    let page = random(6)
    packed = packed | page << (3 * number)
    text = text + " " + hex(0x400 + page)
}

print "A TLB of", sets * ways, "entries in", sets, "sets of", ways, "way(s), least recently used"
print "replaced within a set, empty at the start. Pages are 4 KiB and a page's set is"
print "VPN mod", sets, "(VPN = address >> 12). A process reads these virtual pages in order:"
print "  VPN" + text
print "For each read: a TLB hit or a miss?"
print ""

let misses = 0
for number in 0..<12 {
    let page = 0x400 + (packed >> (3 * number)) & 7
    quiet { read page << 12 }
    let verdict = "hit"
    if not last.tlb_hit {
        verdict = "miss"
        misses = misses + 1
    }
    question str(number + 1) "read " + str(number + 1) + ", VPN " + hex(page) + ": hit or miss?" verdict
}
print ""
question "misses" "how many misses in all?" misses
"""#))
}
