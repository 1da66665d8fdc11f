import VMMachine

enum HTML {
    /// Text for an element's content or a quoted attribute: the five
    /// characters HTML gives meaning to, as references.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }
}

/// `vmlab run LESSON --html FILE`: passes everything on to the terminal and
/// keeps the run, to write as one self-contained HTML page at the end: the
/// transcript, each `show pagetable` as an SVG tree, each `show tlb` as a
/// sets × ways grid, each `plot` as an SVG chart, and the statistics and
/// every core's TLB at the end. No scripts, fonts or links: it opens from disk.
public final class HTMLReportSink: OutputSink {
    enum Block {
        case output(String)
        case diagnostic(String)
        case figure(Figure, text: String)
    }

    /// Past this much transcript the report notes that it was cut (the terminal still gets it all).
    static let maximumBytes = 8 << 20
    static let maximumFigures = 500

    private let next: OutputSink
    private var blocks: [Block] = []
    private var bytes = 0
    private var figures = 0
    private var cut = false

    public init(forwardingTo next: OutputSink) { self.next = next }

    public func write(_ text: String) {
        next.write(text)
        keep(text, diagnostic: false)
    }

    public func writeDiagnostic(_ text: String) {
        next.writeDiagnostic(text)
        keep(text, diagnostic: true)
    }

    public func flush() { next.flush() }

    public func write(_ text: String, figure: () -> Figure) {
        next.write(text)
        guard figures < Self.maximumFigures, room(for: text) else { return keep(text, diagnostic: false) }
        figures += 1
        bytes += text.utf8.count
        blocks.append(.figure(figure(), text: text))
    }

    private func room(for text: String) -> Bool {
        guard !cut else { return false }
        if bytes + text.utf8.count > Self.maximumBytes {
            cut = true
            return false
        }
        return true
    }

    private func keep(_ text: String, diagnostic: Bool) {
        guard room(for: text) else { return }
        bytes += text.utf8.count
        switch (blocks.last, diagnostic) {
        case (.output(let earlier)?, false):
            blocks[blocks.count - 1] = .output(earlier + text)
        case (.diagnostic(let earlier)?, true):
            blocks[blocks.count - 1] = .diagnostic(earlier + text)
        default:
            blocks.append(diagnostic ? .diagnostic(text) : .output(text))
        }
    }

    /// The page, for the run of `title` that ended with `machine`.
    public func document(title: String, machine: Machine, subtitle: String? = nil) -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>vmlab: \(HTML.escape(title))</title>\n<style>\n\(Self.style)</style>\n</head>\n<body>\n"
        let what = subtitle.map(HTML.escape) ?? "A run of <code>vmlab run \(HTML.escape(title))</code>"
        html += "<header><h1>\(HTML.escape(title))</h1><p>\(what):"
            + " its output, with page tables, TLBs and plots drawn.</p></header>\n<main>\n"
        for block in blocks {
            switch block {
            case .output(let text):
                html += "<pre class=\"out\">\(HTML.escape(text))</pre>\n"
            case .diagnostic(let text):
                html += "<pre class=\"diagnostic\">\(HTML.escape(text))</pre>\n"
            case .figure(let figure, let text):
                html += Self.render(figure, text: text)
            }
        }
        if cut { html += "<p class=\"note\">The output went on past \(Self.maximumBytes >> 20) MiB; the rest is not in this report.</p>\n" }
        html += Self.statistics(machine)
        return html + "</main>\n</body>\n</html>\n"
    }

    static func render(_ figure: Figure, text: String) -> String {
        let (kind, picture): (String, String)
        switch figure.content {
        case .pageTables(let graph): (kind, picture) = ("pagetable", PageTableSVG.render(graph))
        case .tlb(let tlb): (kind, picture) = ("tlb", TLBGridHTML.render(tlb))
        case .chart(let chart): (kind, picture) = ("plot", ChartSVG.render(chart))
        }
        return "<figure class=\"\(kind)\">\n\(picture)<details><summary>as text</summary><pre class=\"out\">"
            + HTML.escape(text) + "</pre></details>\n</figure>\n"
    }

    /// The counters of `stats`, a row per core, and each core's TLB as it was left.
    static func statistics(_ machine: Machine) -> String {
        var html = "<section class=\"statistics\">\n<h2>At the end of the run</h2>\n<table class=\"stats\">\n<tr>"
        let headings = [
            "cpu", "TLB hits", "misses", "hit rate", "flushes", "page walks", "faults", "context switches",
            "\(machine.architecture.baseRegister) writes", "kernel entries", "cycles",
        ]
        html += headings.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
        for core in machine.cores {
            let lookups = core.tlbHits + core.tlbMisses
            let values: [String] = [
                String(core.index), String(core.tlbHits), String(core.tlbMisses),
                lookups == 0 ? "-" : StateRenderer.percent(core.tlbHits, of: lookups), String(core.tlbFlushes),
                String(core.walks), String(core.faults), String(machine.perCPU[core.index].contextSwitches), String(core.baseWrites),
                String(core.kernelEntries), String(core.cycles.total),
            ]
            html += "<tr>" + values.map { "<td>\($0)</td>" }.joined() + "</tr>\n"
        }
        html += "</table>\n<pre class=\"out\">\(HTML.escape(StateRenderer.stats(machine)))</pre>\n"
        for core in machine.cores {
            html += TLBGridHTML.render((machine.architecture.hasKernel
                    ? TLBPicture(core, title: "TLB of cpu \(core.index) at the end", tagName: machine.architecture.tagName, tagged: machine.configuration.addressSpaceIDs)
                    : TLBPicture(book: core, title: "TLB of cpu \(core.index) at the end", pageShift: machine.architecture.pageShift)))
        }
        return html + "</section>\n"
    }

    static let style = """
        body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2330; background: #fbfbfd; }
        header { padding: 16px 28px; background: #1d2a44; color: #fff; }
        header h1 { margin: 0; font-size: 20px; font-family: ui-monospace, monospace; }
        header p { margin: 4px 0 0; color: #c8d2e6; }
        main { padding: 12px 28px 40px; }
        pre { font: 12.5px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; margin: 6px 0; white-space: pre-wrap; }
        pre.diagnostic { color: #a4161a; background: #fff0f0; padding: 4px 8px; border-left: 3px solid #a4161a; }
        figure { margin: 12px 0; padding: 10px; background: #fff; border: 1px solid #dfe3ea; border-radius: 6px; overflow-x: auto; }
        details summary { cursor: pointer; color: #5a6477; font-size: 12px; }
        svg text { font: 11px ui-monospace, "DejaVu Sans Mono", monospace; fill: #1d2330; }
        svg text.title { font-weight: bold; }
        svg .table { fill: #fff; stroke: #44506a; }
        svg .table.kernel { fill: #dde8f7; }
        svg .table.kpti { stroke-dasharray: 5 3; }
        svg .frame { fill: #f6f7f9; stroke: #44506a; }
        svg .frame.shared { fill: #ffe3a3; }
        svg .rule { stroke: #44506a; }
        svg .edge { fill: none; stroke: #555; }
        svg .edge.dashed { stroke-dasharray: 5 3; }
        svg .edge-label, svg .tick, svg .value, svg .legend { font-size: 10.5px; fill: #5a6477; }
        svg .chart-title { font: bold 13px system-ui, sans-serif; }
        svg .axis, svg .grid { stroke: #c5cbd6; }
        svg .line { stroke-width: 2; }
        .tlb-title { font-weight: bold; margin: 4px 0; }
        table { border-collapse: collapse; margin: 6px 0 12px; font-size: 12px; }
        th, td { border: 1px solid #dfe3ea; padding: 3px 6px; text-align: left; vertical-align: top; }
        th { background: #eef1f6; }
        table.tlb-grid caption { text-align: left; color: #5a6477; padding: 2px 0; }
        td.empty { background: #f4f5f8; min-width: 90px; }
        td.entry { background: #eaf3ea; font-family: ui-monospace, monospace; }
        td.entry.global { background: #e6ecfa; }
        td .detail { color: #5a6477; font-size: 11px; }
        .note { color: #5a6477; font-style: italic; }

        """
}
