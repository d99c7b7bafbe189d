using System.Text;

namespace LocalFineTune.Server.OpenAi.Files;

/// <summary>
/// The name an upload is kept and echoed under (in file objects and in Content-Disposition on download): the base
/// name only, whatever separators the client used ("..\..\x.jsonl" and "a/b/x.jsonl" are "x.jsonl"), without
/// control characters or quotes, at most <see cref="MaxLength"/> characters with the extension kept.
/// </summary>
public static class UploadNames
{
    public const int MaxLength = 200;
    public const string Fallback = "upload.jsonl";

    public static string SafeBaseName(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return Fallback;
        var last = raw.Replace('\\', '/').Split('/').LastOrDefault(part => part.Length > 0) ?? "";
        var clean = new StringBuilder(last.Length);
        foreach (var c in last)
        {
            if (!char.IsControl(c) && c is not ('"' or ':' or '*' or '?' or '<' or '>' or '|') && !char.IsSurrogate(c)) clean.Append(c);
        }
        var name = clean.ToString().Trim().TrimStart('.');
        if (name.Length == 0) return Fallback;
        if (name.Length <= MaxLength) return name;
        var extension = Path.GetExtension(name);
        return extension.Length is > 0 and < 16 ? name[..(MaxLength - extension.Length)] + extension : name[..MaxLength];
    }
}
