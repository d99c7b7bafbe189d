using LocalFineTune.Tokenizers;

namespace LocalFineTune.Models.Generation;

/// <summary>
/// Turns generated ids into text pieces that are safe to send: never half a UTF-8 character (byte-level BPE
/// splits multi-byte characters across tokens; the decoder shows the unfinished bytes as U+FFFD), and never
/// the beginning of a stop string that may still complete. Concatenated pieces equal <see cref="Text"/>.
/// </summary>
public sealed class StreamingTextDecoder(Tokenizer tokenizer, IReadOnlyList<string> stopStrings)
{
    private readonly List<int> _ids = [];
    private int _emitted;

    /// <summary>Text so far (cut before the stop string once one was found).</summary>
    public string Text { get; private set; } = "";

    public bool StopStringFound { get; private set; }

    /// <summary>Adds one token and returns the text that became safe to emit (often empty).</summary>
    public string Push(int id)
    {
        if (StopStringFound) return "";
        _ids.Add(id);
        var text = tokenizer.Decode(_ids, skipSpecialTokens: true);
        var stopAt = FirstStop(text);
        if (stopAt >= 0)
        {
            StopStringFound = true;
            Text = text[..stopAt];
            return Take(Text.Length);
        }
        Text = text;
        return Take(SafeEnd(text));
    }

    /// <summary>Whatever is still held back (end of generation): an unfinished character or a partial stop string.</summary>
    public string Flush() => Take(Text.Length);

    private string Take(int end)
    {
        if (end <= _emitted) return "";
        var piece = Text[_emitted..end];
        _emitted = end;
        return piece;
    }

    private int FirstStop(string text)
    {
        var first = -1;
        foreach (var stop in stopStrings)
        {
            var at = text.IndexOf(stop, Math.Max(0, _emitted - stop.Length), StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        return first;
    }

    private int SafeEnd(string text)
    {
        var end = text.Length;
        while (end > _emitted && text[end - 1] == '\uFFFD') end--;
        var held = 0;
        foreach (var stop in stopStrings)
            for (var k = Math.Min(stop.Length - 1, end); k > held; k--)
                if (string.CompareOrdinal(text, end - k, stop, 0, k) == 0) { held = k; break; }
        return end - held;
    }
}
