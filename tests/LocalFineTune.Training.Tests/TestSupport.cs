using System.Text;
using LocalFineTune.Models.Gpt2;
using LocalFineTune.Models.Loading;
using LocalFineTune.Tokenizers;

namespace LocalFineTune.Training.Tests;

internal static class Repo
{
    public static string Root { get; } = FindRoot();
    public static string TinyGpt2Dir => Path.Combine(Root, "models", "base", "tiny-gpt2");

    private static readonly Lazy<Tokenizer> LazyTokenizer = new(() => Tokenizer.FromFolder(TinyGpt2Dir));
    public static Tokenizer Gpt2Tokenizer => LazyTokenizer.Value;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LocalFineTune.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (LocalFineTune.sln) not found above the test binaries");
    }
}

/// <summary>Tiny GPT-2s for tests: 2 layers, width 32, GPT-2's real vocabulary (so the real tokenizer applies).</summary>
internal static class TinyModels
{
    public static Gpt2Config Config(double dropout = 0.0) => new()
    {
        NLayer = 2, NEmbd = 32, NHead = 2, NPositions = 64,
        ResidPdrop = dropout, EmbdPdrop = dropout, AttnPdrop = dropout,
    };

    /// <summary>A models root with base/&lt;name&gt;/ holding a random tiny GPT-2 in HF layout.</summary>
    public static string CreateBase(string modelsRoot, string name = "tiny", double dropout = 0.0, ulong seed = 7)
    {
        var dir = Path.Combine(modelsRoot, "base", name);
        HfModelFolder.CreateRandomFolder(dir, Config(dropout), Repo.TinyGpt2Dir, seed);
        return dir;
    }
}

internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("lft-training-").FullName;

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string content)
    {
        var file = Sub(name);
        File.WriteAllText(file, content, new UTF8Encoding(false));
        return file;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Small datasets in each format, about refrigerators.</summary>
internal static class SampleData
{
    private static readonly string[] Symptoms =
    [
        "Frigo fait bruit fort", "Le congélateur givre", "Fridge is warm", "Water under the fridge", "Porte ne ferme pas",
        "Compressor clicks", "Lumière ne s'allume pas", "Ice maker stopped", "Odeur de brûlé", "Fridge too cold",
        "Joint de porte abîmé", "Fan is noisy",
    ];

    public static string Csv(int count) =>
        "prompt,completion\n" + string.Join("\n", Enumerable.Range(0, count).Select(i =>
            $"\"{Symptoms[i % Symptoms.Length]} {i}\",\"Cause probable : compresseur. Vérifiez le compresseur.\"")) + "\n";

    public static string Chat(int count) => string.Join("\n", Enumerable.Range(0, count).Select(i =>
        "{\"messages\":[{\"role\":\"system\",\"content\":\"Technicien frigo.\"},{\"role\":\"user\",\"content\":\"" +
        Symptoms[i % Symptoms.Length] + " " + i + "\"},{\"role\":\"assistant\",\"content\":\"Vérifiez le compresseur.\"}]}")) + "\n";

    public static string Text(int count) => string.Join("\n", Enumerable.Range(0, count).Select(i =>
        "{\"text\":\"Fiche " + i + ". Symptôme : " + Symptoms[i % Symptoms.Length] + ". Action : compresseur vérifié.\"}")) + "\n";
}
