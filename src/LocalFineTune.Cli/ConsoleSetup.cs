using LocalFineTune.Torch;
using Spectre.Console;

namespace LocalFineTune.Cli;

/// <summary>Process-wide console and libtorch settings, applied once before any command runs.</summary>
internal static class ConsoleSetup
{
    /// <summary>
    /// Output going to a file or a pipe gets no ANSI colour codes and no hard wrapping (Spectre otherwise assumes an
    /// 80-column terminal and breaks lines mid-word, JSON included). NO_COLOR turns colour off on a terminal too.
    /// </summary>
    public static void ForRedirectedOutput()
    {
        var redirected = Console.IsOutputRedirected;
        if (!redirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))) return;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        if (redirected) AnsiConsole.Profile.Width = UnwrappedWidth;
    }

    /// <summary>Wide enough that no line of ours is ever wrapped; tables then size their columns to the content.</summary>
    private const int UnwrappedWidth = 100_000;

    /// <summary>libtorch may start on one thread on a multi-core machine (see <see cref="Runtime.UseAllCoresIfSingleThreaded"/>).</summary>
    public static void UseAllCores()
    {
        try
        {
            Runtime.UseAllCoresIfSingleThreaded();
        }
        catch (Exception e) when (e is DllNotFoundException or InvalidOperationException or EntryPointNotFoundException)
        {
            // No usable shim: the commands that need libtorch (and `lft doctor`) report it with the fix.
        }
    }
}
