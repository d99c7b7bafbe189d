using System.Text.Json;
using LocalFineTune.Server.Tests.Docs;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests.Cli;

/// <summary>
/// Issue 12.5/12.7/12.11: the command line as a real process with stdout redirected (as in a file or a pipe): typos are
/// refused with a suggestion, output has no ANSI codes or wrapping and its JSON parses, validate counts tokens with a
/// model, and train honours --delimiter. Runs in the folder tree of <see cref="TestFolders"/> (base "tiny", 1 layer).
/// </summary>
public sealed class CliProcessTests : IDisposable
{
    private readonly TestFolders _folders = new();

    private Task<ProcessRun.Result> Lft(params string[] args) =>
        ProcessRun.RunAsync("dotnet", [DocClone.LftDll, .. args], _folders.Root, new Dictionary<string, string> { ["TERM"] = "xterm-256color" },
            TimeSpan.FromMinutes(2));

    [Fact]
    public async Task Serve_RefusesATypoedOption_WithTheRightOne_InsteadOfStartingOnTheDefaultAddress()
    {
        var result = await Lft("serve", "--url", "http://127.0.0.1:5010");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("'--url' was not matched", result.Output);
        Assert.Contains("--urls", result.Output);
        Assert.DoesNotContain("Now listening", result.Output);
    }

    [Fact]
    public async Task Train_RefusesAnUnknownOption_WithASuggestion()
    {
        var result = await Lft("train", "--model", TestFolders.TinyBase, "--data", "data/train.csv", "--epoch", "1");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--epochs", result.Output);
    }

    [Fact]
    public async Task Models_PrintsNoAnsiAndNoWrapping_AndValidJson_WhenRedirected()
    {
        var name = "tiny-with-a-long-name-that-is-far-wider-than-eighty-columns-finetuned-20260101_000000";
        TestFolders.CopyDirectory(Path.Combine(_folders.ModelsRoot, "base", TestFolders.TinyBase), Path.Combine(_folders.ModelsRoot, name));

        var table = await Lft("models");
        var json = await Lft("models", "--json");

        Assert.Equal(0, table.ExitCode);
        Assert.DoesNotContain('\u001b', table.Output + json.Output);
        Assert.Contains(table.Output.Split('\n'), line => line.Contains($"models/{name}", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(json.Output);
        Assert.Equal(name, doc.RootElement.GetProperty("models")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Train_Redirected_PrintsItsOptionsAsOneJsonLine_AndSaysTheBaseIsEvaluatedBeforeStep1()
    {
        var result = await Lft("train", "--model", TestFolders.TinyBase, "--data", "data/train.csv", "--epochs", "1");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.DoesNotContain('\u001b', result.Output);
        var lines = result.Output.Split('\n');
        var options = lines.Single(l => l.StartsWith("options: ", StringComparison.Ordinal));
        using (JsonDocument.Parse(options["options: ".Length..])) { }
        var evaluating = Array.FindIndex(lines, l => l.StartsWith("evaluating the base model", StringComparison.Ordinal));
        var step1 = Array.FindIndex(lines, l => l.StartsWith("step 1/", StringComparison.Ordinal));
        Assert.InRange(evaluating, 0, step1 - 1);
    }

    [Fact]
    public async Task Validate_WithAModel_CountsTokens()
    {
        var result = await Lft("validate", "--data", "data/train.csv", "--model", Path.Combine("models", "base", TestFolders.TinyBase));

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("Tokens per example: min", result.Output);
        Assert.DoesNotContain("not counted", result.Output);
    }

    [Fact]
    public async Task Train_ReadsASemicolonCsv_WithDelimiter_AndRefusesItWithTheWrongOne()
    {
        File.WriteAllText(Path.Combine(_folders.DataRoot, "semi.csv"),
            "prompt;completion\n" + string.Concat(Enumerable.Range(0, 12).Select(i => $"Fridge {i}, noisy;Check the fan, then the frost.\n")));

        var wrong = await Lft("train", "--model", TestFolders.TinyBase, "--data", "data/semi.csv", "--delimiter", "tab", "--epochs", "1");
        var right = await Lft("train", "--model", TestFolders.TinyBase, "--data", "data/semi.csv", "--delimiter", ";", "--epochs", "1");

        Assert.Equal(1, wrong.ExitCode);
        Assert.True(right.ExitCode == 0, right.Output);
        var folder = Directory.EnumerateDirectories(_folders.ModelsRoot, "tiny-finetuned-*").Single();
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")));
        var resolved = metrics.RootElement.GetProperty("resolved");
        Assert.Equal(12, resolved.GetProperty("training_sequences").GetInt32() + resolved.GetProperty("evaluation_sequences").GetInt32());
    }

    public void Dispose() => _folders.Dispose();
}
