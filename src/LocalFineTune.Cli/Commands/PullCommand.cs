using System.CommandLine;
using LocalFineTune.Hub;

namespace LocalFineTune.Cli.Commands;

/// <summary>
/// `lft pull NAME|ORG/REPO [--revision R] [--models-dir models]`: downloads a base from the Hugging Face hub into
/// models/base/&lt;name&gt;/ (safetensors and config/tokenizer files only, checked, resumable). HF_ENDPOINT and HF_TOKEN
/// are honoured. Exit code: 0 pulled, 1 bad name or hub error (the message says what to do), 130 interrupted.
/// </summary>
internal static class PullCommand
{
    private static readonly Argument<string> Name = new("name")
    { Description = "A catalog name (" + string.Join(", ", BaseModelCatalog.Entries.Select(e => e.Name)) + ") or ORG/REPO" };
    private static readonly Option<string> Revision = new("--revision")
    { Description = "Branch, tag or commit", DefaultValueFactory = _ => "main" };
    private static readonly Option<string> ModelsDir = new("--models-dir")
    { Description = "Models root; the base goes to <models-dir>/base/<name>/", DefaultValueFactory = _ => "models" };

    public static Command Create()
    {
        var command = new Command("pull", "Download a base model from the Hugging Face hub into models/base/<name>/.");
        command.Arguments.Add(Name);
        command.Options.Add(Revision);
        command.Options.Add(ModelsDir);
        command.SetAction((parse, token) => RunAsync(parse, token));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var settings = HubSettings.FromEnvironment();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(20) })
        { Timeout = Timeout.InfiniteTimeSpan };
        var puller = new ModelPuller(new HubClient(http, settings));
        var baseRoot = Path.Combine(parse.GetValue(ModelsDir)!, "base");
        Directory.CreateDirectory(baseRoot);
        var reporter = new PullReporter(Console.IsOutputRedirected);
        try
        {
            Console.Error.WriteLine($"pulling {parse.GetValue(Name)} from {settings.Endpoint} (revision {parse.GetValue(Revision)})");
            var result = await puller.PullAsync(parse.GetValue(Name)!, baseRoot, parse.GetValue(Revision)!, reporter, cancellationToken);
            reporter.Finish();
            Console.WriteLine($"pulled {result.Repository} ({result.Files.Count} files, {result.Bytes / 1e6:F1} MB) into {result.Folder}");
            return 0;
        }
        catch (HubException e)
        {
            reporter.Finish();
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            reporter.Finish();
            Console.Error.WriteLine("interrupted: run the same command again to resume.");
            return 130;
        }
    }

    /// <summary>A one-line bar on a terminal; one line per file (and every 10%) when the output is redirected.</summary>
    private sealed class PullReporter(bool plain) : IProgress<PullProgress>
    {
        private string? _file;
        private int _lastDecile = -1;
        private long _lastDraw;

        public void Report(PullProgress p)
        {
            var percent = p.PullTotal is > 0 ? 100.0 * p.PullBytes / p.PullTotal.Value : 0;
            if (plain)
            {
                var decile = (int)(percent / 10);
                if (p.File == _file && decile == _lastDecile) return;
                (_file, _lastDecile) = (p.File, decile);
                Console.Error.WriteLine($"{percent,5:F1}%  {p.File}");
                return;
            }
            var now = Environment.TickCount64;
            if (now - _lastDraw < 100 && p.FileBytes != p.FileTotal) return;
            _lastDraw = now;
            var width = 30;
            var filled = (int)(percent / 100 * width);
            Console.Error.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {percent,5:F1}%  " +
                $"{p.PullBytes / 1e6,8:F1}/{(p.PullTotal ?? 0) / 1e6:F1} MB  {p.File,-40}");
        }

        public void Finish()
        {
            if (!plain && _lastDraw != 0) Console.Error.WriteLine();
        }
    }
}
