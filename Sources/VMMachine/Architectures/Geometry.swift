/// A textbook machine's shape, as a lecturer states it: address widths, page
/// size, levels and index bits, entry size and where each bit lives. It
/// becomes an `Architecture` (the same value x86-64 is) after checks whose
/// errors name the numbers that do not add up.
public struct Geometry: Sendable, Equatable {
    public var virtualBits = 14
    public var physicalBits = 12
    public var pageSize: UInt64 = 64
    /// Index bits per level, root first; nil splits the VPN evenly over `levels`.
    public var indexBits: [Int]?
    public var levels = 1
    public var entryBytes: UInt64 = 1
    /// Bit positions in an entry; nil: the format has no such bit (valid
    /// defaults to the entry's top bit).
    public var valid: Int?
    public var writable: Int?
    public var user: Int?
    public var accessed: Int?
    public var dirty: Int?
    /// The frame-number field, bits high:low; nil: the low bits the physical frames need.
    public var frame: (high: Int, low: Int)?
    public var accessBytes: UInt64 = 1
    public var baseRegister = "PTBR"

    public init() {}

    public static func == (lhs: Geometry, rhs: Geometry) -> Bool {
        lhs.virtualBits == rhs.virtualBits && lhs.physicalBits == rhs.physicalBits && lhs.pageSize == rhs.pageSize
            && lhs.indexBits == rhs.indexBits && lhs.levels == rhs.levels && lhs.entryBytes == rhs.entryBytes
            && lhs.valid == rhs.valid && lhs.writable == rhs.writable && lhs.user == rhs.user
            && lhs.accessed == rhs.accessed && lhs.dirty == rhs.dirty && lhs.frame?.high == rhs.frame?.high
            && lhs.frame?.low == rhs.frame?.low && lhs.accessBytes == rhs.accessBytes
            && lhs.baseRegister == rhs.baseRegister
    }

    /// Physical memory a textbook machine may have: 2^32 bytes (sparse, as RAM is).
    public static let maximumPhysicalBits = 32

    /// CS:APP §9.6.4's small memory system: 14-bit virtual and 12-bit physical
    /// addresses, 64-byte pages, one-level page table, byte-addressed memory
    /// read a byte at a time. The book gives no entry encoding; vmlab's is one
    /// byte, bit 7 valid and bits 5:0 the PPN.
    public static let csapp: Geometry = {
        var geometry = Geometry()
        geometry.valid = 7
        geometry.frame = (5, 0)
        return geometry
    }()

    /// OSTEP's two-level homework machine (vm-smalltables): 15-bit virtual and
    /// 12-bit physical addresses, 32-byte pages, 5 + 5 index bits, one-byte
    /// entries with bit 7 valid and bits 6:0 the frame; the PDBR holds the
    /// page directory's frame number.
    public static let ostep: Geometry = {
        var geometry = Geometry()
        geometry.virtualBits = 15
        geometry.pageSize = 32
        geometry.indexBits = [5, 5]
        geometry.valid = 7
        geometry.frame = (6, 0)
        geometry.baseRegister = "PDBR"
        return geometry
    }()

    /// The architecture, or the first thing that does not add up.
    public func architecture(named name: String) throws(GeometryError) -> Architecture {
        guard (1...64).contains(virtualBits) else { throw .virtualBits(virtualBits) }
        guard (1...Self.maximumPhysicalBits).contains(physicalBits) else {
            throw .physicalBits(physicalBits, maximum: Self.maximumPhysicalBits)
        }
        guard pageSize >= 16 else { throw .pageTooSmall(pageSize) }
        guard pageSize & (pageSize - 1) == 0 else { throw .pageNotPowerOfTwo(pageSize) }
        let pageShift = pageSize.trailingZeroBitCount
        guard pageShift < virtualBits else {
            throw .noPageNumberBits(pageSize: pageSize, offsetBits: pageShift, addressBits: virtualBits, physical: false)
        }
        guard pageShift < physicalBits else {
            throw .noPageNumberBits(pageSize: pageSize, offsetBits: pageShift, addressBits: physicalBits, physical: true)
        }
        let vpnBits = virtualBits - pageShift
        let rootFirst: [Int]
        if let indexBits {
            guard (1...7).contains(indexBits.count) else { throw .indexLevels(indexBits.count) }
            guard indexBits.allSatisfy({ $0 >= 1 }) else { throw .emptyLevel }
            guard indexBits.reduce(0, +) == vpnBits else {
                throw .indexBitsSum(indexBits, offsetBits: pageShift, virtualBits: virtualBits)
            }
            rootFirst = indexBits
        } else {
            guard (1...7).contains(levels) else { throw .levels(levels) }
            guard vpnBits % levels == 0 else {
                throw .unevenSplit(virtualBits: virtualBits, pageSize: pageSize, vpnBits: vpnBits, levels: levels)
            }
            rootFirst = Array(repeating: vpnBits / levels, count: levels)
        }
        guard [1, 2, 4, 8].contains(entryBytes) else { throw .entrySize(entryBytes) }
        guard [1, 2, 4, 8].contains(accessBytes), accessBytes <= pageSize else { throw .wordSize(accessBytes) }
        let entryBits = Int(entryBytes) * 8
        let frameBits = physicalBits - pageShift
        let frame = self.frame ?? (frameBits - 1, 0)
        guard frame.low >= 0, frame.high >= frame.low, frame.high < entryBits else {
            throw .frameNotInEntry(high: frame.high, low: frame.low, entryBytes: entryBytes)
        }
        let frameWidth = frame.high - frame.low + 1
        guard frameWidth >= frameBits else {
            throw .frameTooNarrow(
                high: frame.high, low: frame.low, physicalBits: physicalBits, pageSize: pageSize, frameBits: frameBits)
        }
        let frameMask = (frameWidth == 64 ? ~UInt64(0) : (1 << UInt64(frameWidth)) - 1) << UInt64(frame.low)
        var used = frameMask
        var masks: [String: UInt64] = [:]
        let validBit = valid ?? entryBits - 1
        for (name, bit) in [("valid", Optional(validBit)), ("writable", writable), ("user", user), ("accessed", accessed), ("dirty", dirty)] {
            guard let bit else { continue }
            guard (0..<entryBits).contains(bit) else { throw .bitOutsideEntry(name, bit: bit, entryBytes: entryBytes) }
            guard used & (1 << UInt64(bit)) == 0 else {
                throw .bitOverlaps(name, bit: bit, frameHigh: frame.high, frameLow: frame.low)
            }
            used |= 1 << UInt64(bit)
            masks[name] = 1 << UInt64(bit)
        }
        let format = EntryFormat(
            valid: masks["valid"]!, writable: masks["writable"] ?? 0, user: masks["user"] ?? 0,
            accessed: masks["accessed"] ?? 0, dirty: masks["dirty"] ?? 0, frameMask: frameMask,
            frameRightShift: UInt64(frame.low), frameLeftShift: UInt64(pageShift))
        return Architecture(
            name: name, pageShift: UInt64(pageShift), indexBitsPerLevel: rootFirst.reversed(), entryBytes: entryBytes,
            format: format, virtualBits: virtualBits, physicalBits: physicalBits, accessBytes: accessBytes,
            baseRegister: baseRegister, baseRegisterHoldsFrameNumber: true, hasKernel: false)
    }
}

/// A geometry that does not add up, with the numbers that do not; the
/// language layer says it in words (Rendering/Format.swift).
public enum GeometryError: Error, Sendable, Equatable {
    case virtualBits(Int)
    case physicalBits(Int, maximum: Int)
    case pageTooSmall(UInt64)
    case pageNotPowerOfTwo(UInt64)
    /// The page offset takes every bit of the (virtual or physical) address.
    case noPageNumberBits(pageSize: UInt64, offsetBits: Int, addressBits: Int, physical: Bool)
    case indexLevels(Int)
    case emptyLevel
    /// Index bits per level (root first) that do not add up to the VPN.
    case indexBitsSum([Int], offsetBits: Int, virtualBits: Int)
    case levels(Int)
    case unevenSplit(virtualBits: Int, pageSize: UInt64, vpnBits: Int, levels: Int)
    case entrySize(UInt64)
    case wordSize(UInt64)
    case frameNotInEntry(high: Int, low: Int, entryBytes: UInt64)
    case frameTooNarrow(high: Int, low: Int, physicalBits: Int, pageSize: UInt64, frameBits: Int)
    case bitOutsideEntry(String, bit: Int, entryBytes: UInt64)
    case bitOverlaps(String, bit: Int, frameHigh: Int, frameLow: Int)
}
