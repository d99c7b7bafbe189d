using System.Text;
using LocalFineTune.Datasets.Model;
using LocalFineTune.Datasets.Validation;

namespace LocalFineTune.Datasets.Reading;

/// <summary>Opening data files as UTF-8, and noticing when they are not.</summary>
internal static class TextFiles
{
    // Lenient decoding on purpose: invalid bytes become U+FFFD, so we can name the exact line
    // (a throwing decoder fails a whole buffer ahead of the line being parsed).
    private static readonly Encoding LenientUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>A streaming reader; a UTF-8 BOM (or a UTF-16 one) is detected and skipped.</summary>
    public static StreamReader OpenText(string path) =>
        new(path, LenientUtf8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 1 << 16 });

    public static bool HasReplacementCharacter(string text) => text.Contains('\uFFFD');
}

/// <summary>Counts lines that were not valid UTF-8 in one file and reports them once, at the first one.</summary>
internal sealed class EncodingProblemTracker(string path)
{
    private SourceLocation? _first;
    private int _count;

    public void Check(string text, SourceLocation location)
    {
        if (!TextFiles.HasReplacementCharacter(text)) return;
        _first ??= location;
        _count++;
    }

    public void Report(IssueCollector issues)
    {
        if (_first is null) return;
        var where = _first.Row is not null ? "rows" : "lines";
        issues.Add(DataIssue.Error(IssueCodes.InvalidEncoding,
            $"not valid UTF-8 ({_count} {where} affected, first here); re-save {Path.GetFileName(path)} as UTF-8 " +
            "(in Excel: \"CSV UTF-8\"; or `iconv -f WINDOWS-1252 -t UTF-8`)", _first));
    }
}
