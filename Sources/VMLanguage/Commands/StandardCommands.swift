extension CommandRegistry {
    /// Every command vmlab knows, in the order `help` lists them.
    public static let standard = CommandRegistry(
        MachineCommands.all + ProcessCommands.all + MemoryCommands.all + AccessCommands.all + ReplayCommands.all + KernelCommands.all + ArchitectureInstructions.all
            + ShowCommands.all + ExplainCommands.all + TextbookCommands.all + QuizCommands.all + PlotCommands.all + ScriptCommands.all + GradingCommands.all + SessionCommands.all)
}
