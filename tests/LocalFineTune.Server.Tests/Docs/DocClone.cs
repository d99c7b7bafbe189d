using System.Reflection;
using LocalFineTune.Server.Tests.Infrastructure;

namespace LocalFineTune.Server.Tests.Docs;

/// <summary>
/// What a fresh clone offers the README's commands, in a temp folder: data/ (each dataset cut to its first
/// <see cref="Rows"/> records so that every documented training takes seconds), the bundled base's committed files
/// (its weights are created at first use, as on a clone; narrower, see <see cref="ShrinkBundledBase"/>), `./lft` running the built command line, and a `curl` that
/// fails on an HTTP error (the docs' `curl -s` would hide a 4xx), and the OpenAI Node SDK as node_modules when it is installed.
/// </summary>
public sealed class DocClone : IDisposable
{
    public const int Rows = 12;

    public DocClone()
    {
        Root = Path.Combine(Path.GetTempPath(), "lft-doc-tests", Guid.NewGuid().ToString("N")[..12]);
        var repo = TestFolders.RepoRoot;
        Directory.CreateDirectory(Path.Combine(Root, "data"));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(repo, "data")))
            CopyCut(file, Path.Combine(Root, "data", Path.GetFileName(file)));
        TestFolders.CopyDirectory(Path.Combine(repo, "models", "base", "tiny-gpt2"), Path.Combine(Root, "models", "base", "tiny-gpt2"));
        ShrinkBundledBase(Path.Combine(Root, "models", "base", "tiny-gpt2"));
        WriteScript(Path.Combine(Root, "lft"), $"exec dotnet '{LftDll}' \"$@\"");
        if (SnippetPolicy.NodeSdk.Folder is { } modules) Directory.CreateSymbolicLink(Path.Combine(Root, "node_modules"), modules);
        Directory.CreateDirectory(Path.Combine(Root, ".test-bin"));
        WriteScript(Path.Combine(Root, ".test-bin", "curl"), $"exec '{OnPath("curl")}' --fail-with-body --show-error \"$@\"");
    }

    public string Root { get; }

    /// <summary>The built command line (the test project builds it first, see the csproj).</summary>
    public static string LftDll
    {
        get
        {
            var configuration = typeof(DocClone).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var dll = Path.Combine(TestFolders.RepoRoot, "src", "LocalFineTune.Cli", "bin", configuration, "net10.0", "lft.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the command line first: {dll} is missing.");
        }
    }

    /// <summary>PATH with the failing curl and `lft` first, so `lft …` and `./lft …` both run this build.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["PATH"] = $"{Path.Combine(Root, ".test-bin")}:{Root}:{System.Environment.GetEnvironmentVariable("PATH")}",
        ["NO_COLOR"] = "1",
    };

    /// <summary>
    /// The same bundled base (name, GPT-2 tokenizer, training_defaults.json, weights created at first use from
    /// config.json), one layer of width 32 instead of two of 128: the README's dozen trainings then take about a minute
    /// of CPU instead of five. The commands do not depend on the width.
    /// </summary>
    private static void ShrinkBundledBase(string dir)
    {
        foreach (var generated in new[] { "model.safetensors", "generation_config.json" })
            File.Delete(Path.Combine(dir, generated));
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        config["n_embd"] = 32;
        config["n_layer"] = 1;
        config["n_head"] = 2;
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
    }

    private static string OnPath(string program) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
        .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException($"{program} is not on PATH; the README's commands need it.");

    private static void CopyCut(string source, string target)
    {
        var extension = Path.GetExtension(source);
        if (extension is ".csv" or ".jsonl")
        {
            // Every record of the sample data is one line (the CSV header is one more).
            var keep = Rows + (extension == ".csv" ? 1 : 0);
            File.WriteAllLines(target, File.ReadLines(source).Take(keep));
        }
        else
        {
            File.Copy(source, target);
        }
    }

    private static void WriteScript(string path, string body)
    {
        File.WriteAllText(path, $"#!/usr/bin/env bash\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // The server may still hold a file for a moment; the OS cleans temp folders.
        }
    }
}
