using System.Text;
using System.Text.Json;
using LocalFineTune.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace LocalFineTune.Server.Tests.Docs;

/// <summary>
/// Issue 12.8: the shell, Node and Python snippets of the READMEs run as written, in order, on what a fresh clone has
/// (the bundled tiny-gpt2, the sample data), against `lft serve` started on a fresh port. Skipped ones say why.
/// </summary>
[Collection(ReadmeSnippetCollection.Name)]
public sealed class ReadmeSnippetTests(ITestOutputHelper output)
{
    private static readonly string[] Documents = ["README.md", "src/LocalFineTune.Server/README.md", "src/LocalFineTune.Server/OpenAi/README.md"];
    private static readonly TimeSpan SnippetTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public void EveryRunnableSnippet_IsFoundInTheReadmes()
    {
        var snippets = Documents.SelectMany(d => DocSnippet.Extract(TestFolders.RepoRoot, d)).ToList();

        // A parsing slip (an unclosed fence, a renamed file) would otherwise pass by running nothing.
        Assert.True(snippets.Count(s => SnippetPolicy.SkipReason(s) is null) >= 8, string.Join('\n', snippets));
        Assert.Contains(snippets, s => s.Code.Contains("./lft train --model tiny-gpt2 --data data/frigo_training.csv\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadmeSnippets_RunAsWritten_AgainstAFreshServer()
    {
        using var clone = new DocClone();
        var port = ServerProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var server = await ServerProcess.StartDotnetAsync(clone.Root, url, [DocClone.LftDll, "serve", "--urls", url]);
        var failures = new List<string>();
        var index = 0;
        foreach (var snippet in Documents.SelectMany(d => DocSnippet.Extract(TestFolders.RepoRoot, d)))
        {
            var skip = SnippetPolicy.SkipReason(snippet);
            if (skip is not null)
            {
                output.WriteLine($"skipped {snippet}: {skip}");
                continue;
            }
            var result = await Run(snippet, port, clone, ++index);
            output.WriteLine($"ran {snippet}: exit {result.ExitCode} in {result.Elapsed.TotalSeconds:F1} s");
            if (result.ExitCode != 0)
                failures.Add($"{snippet} {(result.TimedOut ? "timed out" : $"exited {result.ExitCode}")}:\n{snippet.Code}--- output ---\n{result.Output}");
        }
        var jobs = await FinalJobs(url);
        output.WriteLine($"server jobs: {string.Join(", ", jobs.Select(j => j.Status))}");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures) + $"\n--- server ---\n{server.Output}");
        Assert.NotEmpty(jobs);
        Assert.All(jobs, job => Assert.True(job.Status is "succeeded" or "cancelled", $"job {job.Id} ended {job.Status}: {job.Error}"));
    }

    private static async Task<ProcessRun.Result> Run(DocSnippet snippet, int port, DocClone clone, int index)
    {
        var runner = SnippetPolicy.RunnerFor(snippet);
        var extension = runner switch { SnippetRunner.Node => "mjs", SnippetRunner.Python => "py", _ => "sh" };
        var file = Path.Combine(clone.Root, $"snippet-{index}.{extension}");
        await File.WriteAllTextAsync(file, snippet.OnPort(port));
        var (program, args) = runner switch
        {
            SnippetRunner.Node => ("node", new[] { file }),
            SnippetRunner.Python => ("python3", new[] { file }),
            // -e: a failing line fails the snippet, as a reader following along would notice.
            _ => ("bash", new[] { "-e", "-o", "pipefail", file }),
        };
        return await ProcessRun.RunAsync(program, args, clone.Root, clone.Environment, SnippetTimeout);
    }

    private sealed record JobSummary(string Id, string Status, string Error);

    /// <summary>Jobs the snippets started and left running (curl starts answer 202 at once) must end well too.</summary>
    private static async Task<List<JobSummary>> FinalJobs(string url)
    {
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        var deadline = DateTime.UtcNow + SnippetTimeout;
        while (true)
        {
            var body = await client.GetStringAsync("/api/finetune/jobs?limit=100");
            var jobs = JsonDocument.Parse(body).RootElement.GetProperty("jobs").EnumerateArray()
                .Select(j => new JobSummary(j.GetProperty("job_id").GetString()!, j.GetProperty("status").GetString()!,
                    j.TryGetProperty("error", out var e) ? e.ToString() : ""))
                .ToList();
            if (jobs.All(j => Api.IsFinal(j.Status)) || DateTime.UtcNow > deadline) return jobs;
            await Task.Delay(500);
        }
    }
}

/// <summary>The README run trains several small jobs; alone, it does not compete with other trainings for the cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReadmeSnippetCollection
{
    public const string Name = "README snippets";
}
