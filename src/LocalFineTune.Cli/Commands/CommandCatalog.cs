using System.CommandLine;

namespace LocalFineTune.Cli.Commands;

/// <summary>Every `lft` subcommand, in the order `lft --help` lists them. One file per command.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return DoctorCommand.Create();
        yield return ValidateCommand.Create();
        yield return TokenizeCommand.Create();
        yield return TrainCommand.Create();
        yield return CompareCommand.Create();
        yield return ModelsCommand.Create();
        yield return MergeCommand.Create();
        yield return PullCommand.Create();
        yield return EvalCommand.Create();
        yield return GenerateCommand.Create();
        yield return ServeCommand.Create();
        yield return ScheduleCommand.Create();
    }
}
