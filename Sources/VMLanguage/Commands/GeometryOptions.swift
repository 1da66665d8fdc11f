import VMMachine

/// The options that shape a textbook machine (`machine csapp`, `machine ostep`,
/// `machine custom vbits=… pbits=… page=…`), read into a `Geometry`.
enum GeometryOptions {
    /// The textbook machines `machine` builds (the others are MachinePreset's).
    static let machineNames = ["csapp", "ostep", "custom"]

    static let all = [
        OptionSpec("vbits", placeholder: "N", help: "textbook machine: virtual address bits (csapp 14, ostep 15)"),
        OptionSpec("pbits", placeholder: "N", help: "textbook machine: physical address bits (12 on both presets; at most 32)"),
        OptionSpec("page", placeholder: "SIZE", help: "textbook machine: page size, a power of two from 16 bytes (csapp 64, ostep 32)"),
        OptionSpec("levels", placeholder: "N", help: "table levels: a textbook machine's, the VPN split evenly (default 1); x86_64's 4 (default) or 5 (LA57)"),
        OptionSpec("index", placeholder: "\"B,B\"", help: "textbook machine: index bits per level, root first (ostep \"5,5\")"),
        OptionSpec("entry", placeholder: "BYTES", help: "textbook machine: bytes per table entry: 1, 2, 4 or 8 (default 1)"),
        OptionSpec("valid", placeholder: "BIT", help: "textbook machine: the valid bit (default the entry's top bit)"),
        OptionSpec("writable", placeholder: "BIT", help: "textbook machine: a writable bit (default none: all pages writable)"),
        OptionSpec("user", placeholder: "BIT", help: "textbook machine: a user bit (default none)"),
        OptionSpec("accessed", placeholder: "BIT", help: "textbook machine: an accessed bit the walker sets (default none)"),
        OptionSpec("dirty", placeholder: "BIT", help: "textbook machine: a dirty bit a write sets (default none)"),
        OptionSpec("frame", placeholder: "\"HI:LO\"", help: "textbook machine: the frame-number field (default the low bits the frames need)"),
        OptionSpec("word", placeholder: "BYTES", help: "textbook machine: bytes a read or write moves (default 1)"),
    ]

    /// The architecture `machine NAME …` describes, or a located error naming the numbers.
    static func architecture(_ name: String, _ call: BoundCommand, _ interpreter: Interpreter) throws -> Architecture {
        var geometry: Geometry
        switch name {
        case "csapp": geometry = .csapp
        case "ostep": geometry = .ostep
        default: geometry = Geometry()
        }
        func small(_ option: String) throws -> Int? { try interpreter.option(option, of: call, atMost: 64) }
        if let bits = try small("vbits") { geometry.virtualBits = bits }
        if let bits = try small("pbits") { geometry.physicalBits = bits }
        if let option = call.option("page") { geometry.pageSize = try interpreter.integer(option.value, "page") }
        if let levels = try small("levels") {
            geometry.levels = levels
            geometry.indexBits = nil
        }
        if let option = call.option("index") {
            let text = try interpreter.string(option.value, "index (bits per level, root first, as \"5,5\")")
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! <= 64 }) else {
                throw Diagnostic("index=\"\(text)\" must be bits per level, root first, as \"5,5\"", at: option.value.range)
            }
            geometry.indexBits = parts.map { $0! }
        }
        if let bytes = try small("entry") { geometry.entryBytes = UInt64(bytes) }
        if let bytes = try small("word") { geometry.accessBytes = UInt64(bytes) }
        if let bit = try small("valid") { geometry.valid = bit }
        if let bit = try small("writable") { geometry.writable = bit }
        if let bit = try small("user") { geometry.user = bit }
        if let bit = try small("accessed") { geometry.accessed = bit }
        if let bit = try small("dirty") { geometry.dirty = bit }
        if let option = call.option("frame") {
            let text = try interpreter.string(option.value, "frame (the field's bits, as \"6:0\")")
            let parts = text.split(separator: ":").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let high = parts[0], let low = parts[1], high <= 64 else {
                throw Diagnostic("frame=\"\(text)\" must be the field's high and low bits, as \"6:0\"", at: option.value.range)
            }
            geometry.frame = (high, low)
        }
        do {
            return try geometry.architecture(named: name)
        } catch {
            throw Diagnostic("machine \(name): \(error.message)", at: call.range)
        }
    }

    /// "14-bit virtual and 12-bit physical addresses, 64-byte pages (VPN 8 bits, VPO 6), …"
    static func describe(_ architecture: Architecture) -> String {
        let offset = Int(architecture.pageShift)
        let levels = (1...architecture.levels).reversed().map {
            "\(architecture.levelName($0)) \(architecture.indexBits(ofLevel: $0))"
        }
        let format = architecture.format
        let frame = format.frameMask
        let bits = format.namedBits.map { "\($0.name) bit \($0.mask.trailingZeroBitCount)" }
        return "\(architecture.virtualBits)-bit virtual and \(architecture.physicalBits)-bit physical addresses, "
            + "\(architecture.pageSize)-byte pages (VPN \(architecture.virtualBits - offset) bits, VPO \(offset)), "
            + "\(Format.plural(architecture.levels, "level")) (" + levels.joined(separator: " + ") + " index bits), "
            + "\(architecture.entryBytes)-byte entries (" + bits.joined(separator: ", ")
            + ", PPN bits \(63 - frame.leadingZeroBitCount):\(frame.trailingZeroBitCount)), "
            + "\(architecture.physicalBytes) bytes of memory (\(architecture.physicalBytes >> architecture.pageShift) frames), "
            + "\(architecture.accessBytes == 1 ? "byte" : "\(architecture.accessBytes)-byte") reads, "
            + "base register \(architecture.baseRegister) (a frame number)"
    }
}

extension Architecture {
    /// 2^pbits.
    var physicalBytes: UInt64 { 1 << UInt64(physicalBits) }
}
