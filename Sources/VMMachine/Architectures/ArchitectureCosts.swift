/// Each architecture's own cycle figures, where they differ from x86-64's
/// (CostModel's defaults), with where each comes from. Few are published:
/// most are assumptions of the right order, and `show costs` says which. A
/// figure not changed here is x86's, and `show costs` says that too.
extension Architecture {
    /// One figure of this architecture's: cycles, and why.
    public struct CostFigure: Sendable {
        public let cycles: UInt64
        public let source: String
    }

    /// The defaults a fresh machine of this architecture starts from.
    public var costDefaults: CostModel {
        var costs = CostModel()
        for (path, figure) in ownCosts { costs[keyPath: path] = figure.cycles }
        return costs
    }

    /// x86-64's figures are CostModel's own: the others are measured against them.
    public var isCostBaseline: Bool { family.isCostBaseline }

    /// This architecture's figure for `path`, or nil where it uses x86's.
    public func ownCost(_ path: KeyPath<CostModel, UInt64>) -> CostFigure? {
        ownCosts.first { $0.0 == path }?.1
    }

    private var ownCosts: [(WritableKeyPath<CostModel, UInt64>, CostFigure)] { family.ownCosts }
}
