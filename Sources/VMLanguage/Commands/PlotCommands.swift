/// `record` and `plot`: numbers a lesson measured, drawn in the terminal.
/// The language has no lists, so a series is built a point at a time
/// (`record "misses" 16 tlb.misses` in a loop) and kept for the session.
enum PlotCommands {
    static let all: [CommandSpec] = [record, plot]

    static let record = CommandSpec(
        name: "record",
        summary: "add a point (X, Y) to a named series, for plot",
        details: "record \"misses\" size tlb.misses adds one point; series last for the session (reset keeps them).",
        parameters: [ParameterSpec("SERIES"), ParameterSpec("X"), ParameterSpec("Y")]
    ) { interpreter, call in
        let name = try interpreter.string(call.arguments[0], "the series name")
        let x = try interpreter.integer(call.arguments[1], "x")
        let y = try interpreter.integer(call.arguments[2], "y")
        guard interpreter.series.count < 64 || interpreter.series[name] != nil,
            (interpreter.series[name]?.count ?? 0) < 10_000
        else {
            throw Diagnostic("at most 64 series of 10,000 points each", at: call.range)
        }
        interpreter.series[name, default: []].append((x, y))
    }

    static let plot = CommandSpec(
        name: "plot",
        summary: "draw recorded series as a bar chart or as lines in the terminal",
        details: """
            plot "misses" draws one bar per point, labelled with x and y; plot "A" "B"
            style=line draws each series as a line of block heights over the same x.
            Unicode blocks, or plain ASCII where the output cannot show them.
            """,
        parameters: [ParameterSpec("SERIES", variadic: true)],
        options: [
            OptionSpec("style", .word(["bar", "line"]), placeholder: "bar|line", help: "bars (default) or lines"),
            OptionSpec("title", placeholder: "TEXT", help: "a title above the chart"),
        ]
    ) { interpreter, call in
        guard !call.arguments.isEmpty else {
            throw Diagnostic("plot needs a series: record \"misses\" X Y first, then plot \"misses\"", at: call.range)
        }
        var series: [(name: String, points: [(x: UInt64, y: UInt64)])] = []
        for argument in call.arguments {
            let name = try interpreter.string(argument, "a series name")
            guard let points = interpreter.series[name], !points.isEmpty else {
                throw Diagnostic("no series \"\(name)\": record \"\(name)\" X Y adds points", at: argument.range)
            }
            series.append((name, points))
        }
        let title = try call.option("title").map { try interpreter.string($0.value, "the title") }
        let style = call.option("style").map { interpreter.word($0.value) } ?? "bar"
        let lines = style == "line"
        interpreter.output.write(
            ChartRenderer.render(series, title: title, lines: lines, unicode: interpreter.unicodeOutput),
            figure: { Figure(content: .chart(ChartPicture(title: title, series: series, lines: lines))) })
    }
}

extension Interpreter {
    /// Whether a locale setting promises UTF-8 output (LC_ALL, then LC_CTYPE, then LANG, as C does).
    public static func localeIsUTF8(_ environment: [String: String]) -> Bool {
        let locale = [environment["LC_ALL"], environment["LC_CTYPE"], environment["LANG"]]
            .compactMap { $0 }.first { !$0.isEmpty } ?? ""
        let lowered = locale.lowercased()
        return lowered.contains("utf-8") || lowered.contains("utf8")
    }
}
