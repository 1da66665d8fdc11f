/// A process's regions (Linux's VMAs), sorted by start and never
/// overlapping, in one array searched by bisection: finding the region of an
/// address or the regions a range touches is O(log n), and changing a range
/// replaces only the regions it touches. (Linux keeps VMAs in a maple tree;
/// a sorted array is the same idea for the sizes a lesson reaches, and
/// splitting regions in address order, as a loop of `mprotect` does, moves
/// almost nothing.)
public struct RegionList: RandomAccessCollection, Sendable, Equatable {
    private var regions: [MemoryRegion] = []

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { regions.count }
    public subscript(position: Int) -> MemoryRegion { regions[position] }

    /// The position of the first region that ends after `address`.
    private func firstEnding(after address: UInt64) -> Int {
        var low = 0
        var high = regions.count
        while low < high {
            let middle = (low + high) / 2
            if regions[middle].end <= address { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The position of the region holding `address`, if one does.
    public func position(containing address: UInt64) -> Int? {
        let position = firstEnding(after: address)
        return position < regions.count && regions[position].start <= address ? position : nil
    }

    public func region(containing address: UInt64) -> MemoryRegion? {
        position(containing: address).map { regions[$0] }
    }

    /// The positions of the regions that overlap `start ..< end`: a range, since they are sorted.
    public func overlapping(_ start: UInt64, _ end: UInt64) -> Range<Int> {
        let first = firstEnding(after: start)
        var last = first
        while last < regions.count && regions[last].start < end { last += 1 }
        return first..<last
    }

    /// Adds a region that overlaps none.
    mutating func insert(_ region: MemoryRegion) {
        precondition(overlapping(region.start, region.end).isEmpty, "regions never overlap")
        regions.insert(region, at: firstEnding(after: region.start))
    }

    /// Replaces the regions at `positions` with `pieces`, which must be sorted
    /// and lie where the replaced ones were.
    mutating func replace(_ positions: Range<Int>, with pieces: [MemoryRegion]) {
        regions.replaceSubrange(positions, with: pieces)
    }
}
