namespace LocalFineTune.Server.Tests.Docs;

public enum SnippetRunner { None, Shell, Node, Python }

/// <summary>
/// Which documented snippets the README test runs, and why the others are left out. The reasons are printed with
/// each skipped snippet, so a snippet that stops running shows up in the test output instead of disappearing.
/// </summary>
public static class SnippetPolicy
{
    private static readonly Lazy<bool> PythonHasRequests = new(() => ProcessRun.Succeeds("python3", "-c", "import requests"));

    private static readonly (Func<DocSnippet, bool> Applies, string Reason)[] SkipRules =
    [
        (s => s.Language == "powershell", "needs PowerShell (pwsh), not on the Linux test machine"),
        (s => RunnerFor(s) == SnippetRunner.Node && s.Code.Contains("from \"openai\"", StringComparison.Ordinal) && NodeSdk.Folder is null,
            $"needs the OpenAI Node SDK: run `npm ci --prefix {NodeSdk.Prefix}` once (network; scripts/test.sh does)"),
        (s => RunnerFor(s) != SnippetRunner.Node && (s.Code.Contains("openai", StringComparison.Ordinal) || s.Code.Contains("client.fine_tuning", StringComparison.Ordinal)),
            "needs the OpenAI Python SDK (the OpenAI .NET SDK tests cover /v1)"),
        (s => s.Code.Contains("--profile postgres", StringComparison.Ordinal), "needs PostgreSQL and several processes (the PostgreSQL store tests cover it)"),
        (s => s.Code.Contains("lft serve", StringComparison.Ordinal) || s.Code.Contains("dotnet run", StringComparison.Ordinal),
            "starts the service; the test runs its own `lft serve` on a fresh port"),
        (s => s.Code.Contains("scripts/test.sh", StringComparison.Ordinal), "runs the whole suite, this test included"),
        (s => s.Code.Contains("LIBTORCH=", StringComparison.Ordinal), "rebuilds the native shim against another libtorch (CUDA)"),
        (s => s.Code.Contains("lft pull", StringComparison.Ordinal) || s.Code.Contains("huggingface-cli", StringComparison.Ordinal),
            "downloads a real base from the Hugging Face hub"),
        (s => s.Code.Contains("example.com", StringComparison.Ordinal), "needs a real host (example.com stands for yours)"),
        (s => s.Code.Contains("lft schedule", StringComparison.Ordinal) || s.Code.Contains("/api/finetune/schedules", StringComparison.Ordinal),
            "a schedule on a real base (gpt2) and monthly data files a clone does not have, with a placeholder id (the schedule tests cover it)"),
        (s => s.Language == "python" && !PythonHasRequests.Value, "needs Python with the requests package"),
    ];

    /// <summary>The pinned OpenAI Node package (package.json + package-lock.json beside this file), once installed.</summary>
    public static class NodeSdk
    {
        public const string Prefix = "tests/LocalFineTune.Server.Tests/Docs/node";

        public static string? Folder
        {
            get
            {
                var modules = Path.Combine(Infrastructure.TestFolders.RepoRoot, Prefix, "node_modules");
                return Directory.Exists(Path.Combine(modules, "openai")) ? modules : null;
            }
        }
    }

    public static SnippetRunner RunnerFor(DocSnippet snippet) => snippet.Language switch
    {
        "bash" or "sh" or "shell" => SnippetRunner.Shell,
        "js" or "javascript" or "mjs" => SnippetRunner.Node,
        "python" => SnippetRunner.Python,
        _ => SnippetRunner.None,
    };

    /// <summary>Why this snippet is not run, or null when it is. Data blocks (json, jsonl, plain) are never commands.</summary>
    public static string? SkipReason(DocSnippet snippet)
    {
        if (snippet.Language == "powershell") return SkipRules[0].Reason;
        if (RunnerFor(snippet) == SnippetRunner.None) return "not a command (data or output)";
        foreach (var (applies, reason) in SkipRules)
        {
            if (applies(snippet)) return reason;
        }
        return null;
    }
}
