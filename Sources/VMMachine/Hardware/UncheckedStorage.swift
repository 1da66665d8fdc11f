/// The machine's cores, in storage fixed when the machine is built.
///
/// A class held by a `let`, with addressors into raw memory: reading a core's
/// field or bumping its counter is a load or a store. An `[Core]` stored in a
/// `var` of the machine would cost a run-time exclusivity check on every
/// such access, several per memory reference; the cores never grow, so an
/// array buys nothing here. The machine is used from one thread at a time.
public final class CoreArray: RandomAccessCollection {
    private let base: UnsafeMutablePointer<Core>
    public let count: Int

    init(_ cores: [Core]) {
        count = cores.count
        base = .allocate(capacity: Swift.max(count, 1))
        base.initialize(from: cores, count: count)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Core {
        unsafeAddress {
            precondition(position >= 0 && position < count, "no core \(position)")
            return UnsafePointer(base + position)
        }
        unsafeMutableAddress {
            precondition(position >= 0 && position < count, "no core \(position)")
            return base + position
        }
    }

    /// The core's storage, for a run of work on one core (the TLB lookup).
    func pointer(_ position: Int) -> UnsafeMutablePointer<Core> {
        precondition(position >= 0 && position < count, "no core \(position)")
        return base + position
    }
}

/// One value in memory its owner frees: a `let` of this class reaches the
/// value through a pointer, with no exclusivity check per access.
final class Owned<Value> {
    let pointer: UnsafeMutablePointer<Value>

    init(_ value: Value) {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: value)
    }

    deinit {
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }
}
