using System.Text;

namespace LocalFineTune.Datasets.Tests;

/// <summary>A throw-away folder for data files, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("lft-datasets-").FullName;

    public string Write(string name, string content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return file;
    }

    public string WriteBytes(string name, byte[] content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(file, content);
        return file;
    }

    /// <summary>Lines joined with '\n'.</summary>
    public string WriteLines(string name, params string[] lines) => Write(name, string.Join("\n", lines) + "\n");

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

internal static class Lines
{
    public static string Chat(string user = "Frigo fait bruit fort", string assistant = "Vérifiez le compresseur.") =>
        $$"""{"messages":[{"role":"user","content":"{{user}}"},{"role":"assistant","content":"{{assistant}}"}]}""";

    public static string Text(string text) => $$"""{"text":"{{text}}"}""";

    /// <summary>n distinct valid chat lines, so tests of one malformation are not also below the minimum.</summary>
    public static string[] ValidChats(int n) => Enumerable.Range(1, n).Select(i => Chat($"question {i}", $"answer {i}")).ToArray();
}
