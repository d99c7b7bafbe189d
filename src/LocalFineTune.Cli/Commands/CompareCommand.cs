using System.CommandLine;
using System.Globalization;
using LocalFineTune.Cli.Commands.Compare;
using LocalFineTune.Datasets.Reading;
using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;
using LocalFineTune.Training.Comparison;
using LocalFineTune.Training.Output;

namespace LocalFineTune.Cli.Commands;

/// <summary>
/// `lft compare --models a,b,c --data FILE`: fine-tunes each base in turn with the same data, seed and options (so
/// every eval loss is on the same held-out examples), prints the table, and writes compare-&lt;stamp&gt;/ with report.json,
/// report.html (table, overlaid loss curves as an embedded PNG, held-out answers side by side) and loss.png.
/// </summary>
internal static class CompareCommand
{
    private static readonly Option<string> Models = new("--models") { Description = "Bases to compare, comma-separated (2 to 8), e.g. tiny-gpt2,phi", Required = true };
    private static readonly Option<int> Samples = new("--samples") { Description = "Held-out prompts every model answers (default 5)", DefaultValueFactory = _ => 5 };
    private static readonly Option<string?> ReportDir = new("--report-dir") { Description = "Where compare-<stamp>/ is written (default: the current folder)" };

    public static Command Create()
    {
        var command = new Command("compare", "Fine-tune several bases on one dataset and compare them on the same held-out set.");
        foreach (var option in new Option[] { Models, Samples, ReportDir }.Concat(TrainCommand.RunOptions)) command.Options.Add(option);
        command.SetAction((parse, cancellation) =>
            Task.Factory.StartNew(() => Run(parse, cancellation), cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancellation)
    {
        var models = parse.GetValue(Models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (models.Length is < 2 or > 8 || models.Distinct(StringComparer.OrdinalIgnoreCase).Count() != models.Length)
        {
            Console.Error.WriteLine("lft compare: give 2 to 8 different bases, e.g. --models tiny-gpt2,phi");
            return 2;
        }
        try
        {
            // Every option is checked before training starts, and each name is pinned to its folder now: "latest" must
            // not become the fine-tune this comparison publishes a minute later.
            var requests = models.Select(m => TrainCommand.BuildRequest(parse, m))
                .Select(r => r with { Model = BaseModels.Resolve(r.Model, r.ModelsRoot) }).ToList();
            var rows = requests.Select((request, i) => Train(request, models[i], i, models.Length, cancellation)).ToList();
            var report = new ComparisonReport
            {
                Id = "compare-" + DateTime.Now.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture),
                Dataset = requests[0].Data, Created = DateTime.UtcNow, Models = rows,
            };
            report = report with { Samples = AnswerHeldOut(requests[0], rows, parse.GetValue(Samples), cancellation) };
            Console.Write(ComparisonTable.Text(report));
            var folder = ComparisonFiles.Write(report, parse.GetValue(ReportDir) ?? ".");
            Console.WriteLine($"report: {Path.Combine(folder, "report.html")} (and report.json, loss.png)");
            return rows.All(r => r.Status == "succeeded") ? 0 : 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("lft compare: cancelled.");
            return 130;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or InvalidDataException or InvalidOperationException
                                      or NotSupportedException or TorchException)
        {
            Console.Error.WriteLine($"lft compare: {e.Message}");
            return 2;
        }
    }

    /// <summary>One base's fine-tune; a failure is a line of the table, not the end of the comparison.</summary>
    private static ComparedModel Train(FineTuneRequest request, string model, int index, int count, CancellationToken cancellation)
    {
        Console.WriteLine($"[{index + 1}/{count}] {model}: fine-tuning on {request.Data}");
        try
        {
            var outcome = FineTuneJob.Run(request, new CompareProgress(model), cancellation);
            return ComparedModel.FromFolder(model, outcome.OutputDirectory);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"[{index + 1}/{count}] {model}: failed: {e.Message}");
            return new ComparedModel { Model = model, Status = "failed", Error = e.Message };
        }
    }

    /// <summary>The same held-out split the runs evaluated on (same file, fraction and seed), answered by each fine-tune.</summary>
    private static IReadOnlyList<SampleAnswers> AnswerHeldOut(FineTuneRequest request, IReadOnlyList<ComparedModel> rows, int count,
        CancellationToken cancellation)
    {
        // Preference pairs have no single answer to show; their comparison is the table.
        if (count <= 0 || request.Options.Method == Training.Options.TrainingMethod.Dpo) return [];
        var read = DatasetReader.Read(request.Data, new DatasetReadOptions
        {
            CsvDelimiter = request.CsvDelimiter, ValidationFile = request.ValidationFile,
            ValidationSplit = request.ValidationFile is null ? request.ValidationSplit : 0, Seed = request.Options.Seed,
        });
        var prompts = HeldOutSamples.Pick(read.ValidationExamples, count);
        var fineTunes = rows.Where(r => r.Folder is not null).Select(r => (r.Model, r.Folder!));
        return HeldOutSamples.AnswerAll(prompts, fineTunes, Device.Parse(request.Options.Device), cancellation);
    }
}
