using System.Text.Json;
using LocalFineTune.Server.Tests.Docs;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests.Dashboard;

/// <summary>
/// New job's report renderer (Dashboard/Assets/validation.js) run under Node on a stand-in DOM with a validate answer:
/// each error is a tr[data-line] with its code in td.code, the facts and the estimate are shown, Start's refusal is said.
/// </summary>
public sealed class ValidationReportScriptTests
{
    private const string Report = """
        {"is_valid":false,"error_count":2,"warning_count":0,"errors":[
          {"severity":"error","code":"invalid_json","message":"bad.jsonl line 3: not valid JSON","file":"bad.jsonl","line":3,"row":null,"example":null},
          {"severity":"error","code":"missing_text","message":"train.csv row 5: empty text","file":"train.csv","line":null,"row":5,"example":null}],
         "warnings":[],"errors_not_shown":0,"warnings_not_shown":0,"files":[],"n_examples":11,"n_validation_examples":1,
         "example_kinds":{"text":12,"prompt_completion":0,"chat":0},"tokens_per_example":{"min":3,"mean":4.5,"max":6},
         "max_seq_length":64,"n_truncated":2,"epochs":3,"tokens_per_epoch":49,"total_training_tokens":147}
        """;

    [Fact]
    public async Task InvalidReport_ListsEachErrorByLineWithItsCode_AndSaysStartWasRefused()
    {
        var shown = await Render($$"""{"valid":false,"report":{{Report}},"estimate":null}""");

        var rows = shown.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["3", "5"], rows.Select(r => r.GetProperty("line").GetString()));
        Assert.Equal(["invalid_json", "missing_text"], rows.Select(r => r.GetProperty("code").GetString()));
        Assert.Contains("line 3", rows[0].GetProperty("message").GetString());
        Assert.Equal("Data check: 2 errors", shown.GetProperty("title").GetString());
        Assert.Contains("Not started", shown.GetProperty("refused").GetString());
        Assert.Contains("2 examples longer than max_seq_length 64", shown.GetProperty("facts").GetProperty("Truncated").GetString());
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("estimate").ValueKind);
    }

    [Fact]
    public async Task ValidReport_ShowsCountsTokensAndTheEstimateWithItsBasisNote()
    {
        var valid = Report.Replace("\"error_count\":2", "\"error_count\":0");
        const string estimate = """
            {"device":"cpu","seconds":125,"total_steps":9,"training_tokens":147,"tokens_per_second":1.2,"basis":"measured",
             "basis_note":"Rough: 0.1 TFLOP over 40 GFLOP/s.","epochs":3,"batch_size":4}
            """;
        var shown = await Render($$"""{"valid":true,"report":{{valid}},"estimate":{{estimate}}}""");

        var facts = shown.GetProperty("facts");
        Assert.Equal("11", facts.GetProperty("Training examples").GetString());
        Assert.Equal("min 3 · mean 4.5 · max 6", facts.GetProperty("Tokens per example").GetString());
        Assert.Equal("147 (3 epochs)", facts.GetProperty("Total training tokens").GetString());
        var text = shown.GetProperty("estimate").GetString();
        Assert.Contains("2m 5s on cpu: 9 steps", text);
        Assert.Contains("Rough: 0.1 TFLOP", text);
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("refused").ValueKind);
    }

    private static async Task<JsonElement> Render(string answer)
    {
        var assets = Path.Combine(TestFolders.RepoRoot, "src", "LocalFineTune.Server", "Dashboard", "Assets");
        var work = Path.Combine(Path.GetTempPath(), "lft-validation-script-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            // Node treats .js as CommonJS outside a "type": "module" package; the copies are .mjs, their import rewritten.
            await File.WriteAllTextAsync(Path.Combine(work, "ui.mjs"), await File.ReadAllTextAsync(Path.Combine(assets, "ui.js")));
            var script = (await File.ReadAllTextAsync(Path.Combine(assets, "validation.js"))).Replace("'./ui.js'", "'./ui.mjs'");
            await File.WriteAllTextAsync(Path.Combine(work, "validation.mjs"), script);
            var driver = Path.Combine(TestFolders.RepoRoot, "tests", "LocalFineTune.Server.Tests", "Dashboard", "validation-report.mjs");
            var run = await ProcessRun.RunAsync("node", [driver, Path.Combine(work, "validation.mjs"), answer], work, null, TimeSpan.FromSeconds(60));
            Assert.True(run.ExitCode == 0, run.Output);
            using var doc = JsonDocument.Parse(run.Output.Trim().Split('\n')[^1]);
            return doc.RootElement.Clone();
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
