extension CommandRegistry {
    /// Every command vmlab knows, under the headings `help` lists them by.
    public static let standard = CommandRegistry(groups: [
        ("The machine", MachineCommands.all + TextbookCommands.all),
        ("Processes and threads", ProcessCommands.all),
        ("Memory and accesses", MemoryCommands.all + AccessCommands.all + ReplayCommands.all),
        ("The kernel", KernelCommands.all),
        ("The TLB and translation", ArchitectureInstructions.all + ExplainCommands.all),
        ("Pictures and state", ShowCommands.all + PlotCommands.all),
        ("Scripts and the session", ScriptCommands.all + SessionCommands.all + HistoryCommands.all),
        ("Grading and quizzes", GradingCommands.all + QuizCommands.all),
    ])
}
