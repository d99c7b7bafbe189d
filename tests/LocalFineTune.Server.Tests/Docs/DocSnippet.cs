using System.Text.RegularExpressions;

namespace LocalFineTune.Server.Tests.Docs;

/// <summary>One fenced code block of a Markdown file: where it starts, its info string and its text.</summary>
public sealed record DocSnippet(string File, int Line, string Language, string Code)
{
    public override string ToString() => $"{File}:{Line} ({Language})";

    /// <summary>Every fenced block (```lang … ```) of the file, in order; blocks without a language get "".</summary>
    public static IReadOnlyList<DocSnippet> Extract(string repoRoot, string relativePath)
    {
        var lines = System.IO.File.ReadAllLines(Path.Combine(repoRoot, relativePath));
        var snippets = new List<DocSnippet>();
        for (var i = 0; i < lines.Length; i++)
        {
            var open = Regex.Match(lines[i], @"^```\s*([\w+-]*)\s*$");
            if (!open.Success) continue;
            var end = Array.FindIndex(lines, i + 1, l => l.TrimEnd() == "```");
            if (end < 0) throw new InvalidOperationException($"{relativePath}:{i + 1}: a code block that is never closed.");
            var code = string.Join('\n', lines[(i + 1)..end]) + "\n";
            snippets.Add(new DocSnippet(relativePath, i + 1, open.Groups[1].Value.ToLowerInvariant(), code));
            i = end;
        }
        return snippets;
    }

    /// <summary>The docs say 5002 (the default); the test's server listens on a fresh port.</summary>
    public string OnPort(int port) =>
        Code.Replace("127.0.0.1:5002", $"127.0.0.1:{port}").Replace("localhost:5002", $"127.0.0.1:{port}");
}
