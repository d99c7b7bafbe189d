using System.Globalization;
using System.Text;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Models.Loading;

namespace LocalFineTune.Server.Tests.Infrastructure;

/// <summary>
/// An isolated models/data/state tree in a temp folder per test, with a tiny random GPT-2 base ("tiny") in real HF
/// layout and small datasets. The base is built once per test run and copied, since creating it loads libtorch.
/// </summary>
public sealed class TestFolders : IDisposable
{
    public const string TinyBase = "tiny";
    private static readonly Lazy<string> TemplateBase = new(CreateTemplateBase);

    public TestFolders(bool withBase = true)
    {
        Root = Path.Combine(Path.GetTempPath(), "lft-server-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(ModelsRoot);
        Directory.CreateDirectory(DataRoot);
        Directory.CreateDirectory(StateFolder);
        if (withBase)
        {
            CopyDirectory(TemplateBase.Value, Path.Combine(ModelsRoot, "base", TinyBase));
        }
        WriteCsv("train.csv", 24);
    }

    public string Root { get; }
    public string ModelsRoot => Path.Combine(Root, "models");
    public string DataRoot => Path.Combine(Root, "data");
    public string StateFolder => Path.Combine(Root, "state");

    /// <summary>A CSV with a "text" column of <paramref name="rows"/> short refrigeration notes.</summary>
    public string WriteCsv(string relative, int rows)
    {
        var text = new StringBuilder("text\n");
        for (var i = 0; i < rows; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"\"Fridge {i}: the compressor is noisy, check the fan and the frost.\"\n");
        }
        var path = Path.Combine(DataRoot, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    public Dictionary<string, string?> Settings() => new()
    {
        ["LocalFineTune:ModelsRoot"] = ModelsRoot,
        ["LocalFineTune:DataRoot"] = DataRoot,
        ["LocalFineTune:StateFolder"] = StateFolder,
        ["LocalFineTune:RetryDelaySeconds"] = "0.2",
    };

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LocalFineTune.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (LocalFineTune.sln) above the test output.");
        }
    }

    private static string CreateTemplateBase()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lft-server-tests", "template-" + Environment.ProcessId, TinyBase);
        if (File.Exists(Path.Combine(dir, "model.safetensors"))) return dir;
        var tokenizerSource = Path.Combine(RepoRoot, "models", "base", "tiny-gpt2");
        // Real GPT-2 tokenizer, tiny network: training steps take milliseconds on the CPU.
        var config = new Gpt2Config { VocabSize = 50257, NPositions = 64, NEmbd = 16, NLayer = 1, NHead = 2 };
        HfModelFolder.CreateRandomFolder(dir, config, tokenizerSource, seed: 1234);
        return dir;
    }

    public static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process under test may still hold a file for a moment; the temp folder is cleaned by the OS later.
        }
    }
}
