using System.Text;
using System.Text.Json;
using LocalFineTune.Server.OpenAi.Common;

namespace LocalFineTune.Server.Problems;

/// <summary>A client's mistake found in an exception: the status, the field (or null), a stable code, a message.</summary>
public sealed record ClientError(int Status, string? Param, string Code, string Message);

/// <summary>
/// Decides whether an exception is a client's mistake (4xx) rather than a server fault, looking through wrappers:
/// Kestrel delivers a bad chunked body as a BadHttpRequestException inside an IOException, MultipartReader reports a
/// wrong boundary or a cut-off body as a bare IOException. Both error shapes (ProblemDetails, OpenAI's) and the global
/// exception handler use this one classification, so no surface answers 500 for what the client sent.
/// </summary>
public static class ClientErrors
{
    public static ClientError? Find(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (Classify(e) is { } found) return found;
        }
        return null;
    }

    private static ClientError? Classify(Exception e) => e switch
    {
        ApiProblemException p => new(p.Status, p.Param, p.Code, p.Message),
        OpenAiException o => new(o.Status, o.Param, o.Code ?? "invalid_request_error", o.Message),
        BadHttpRequestException b => new(b.StatusCode, null, b.StatusCode == 413 ? "request_too_large" : "invalid_request",
            $"The request could not be read: {ClientText.Echo(b.Message)} Check the body's framing (Content-Length or chunked encoding) and size."),
        JsonException j => new(400, null, "invalid_json",
            $"The JSON body could not be read: {ClientText.Echo(j.Message)} Send one JSON object with 'Content-Type: application/json'."),
        DecoderFallbackException => new(400, null, "invalid_encoding", "The request holds bytes that are not UTF-8 text; send UTF-8."),
        _ => null,
    };
}

/// <summary>Client values quoted back in errors are cut: an error must never echo a 20 MB field in full.</summary>
public static class ClientText
{
    public const int MaxEchoedChars = 200;

    public static string Echo(string? value)
    {
        if (value is null) return "";
        if (value.Length <= MaxEchoedChars) return value;
        return $"{Head(value, MaxEchoedChars)}… ({value.Length} characters)";
    }

    public const int MaxMessageChars = 1500;

    /// <summary>
    /// The safety net under every error written (both shapes): each quoted run longer than <see cref="MaxEchoedChars"/>
    /// is cut, then a message still too long keeps its start and its end (where the fix hint is).
    /// </summary>
    public static string Bound(string message)
    {
        if (message.Length <= MaxEchoedChars) return message;
        var cut = LongQuoted.Replace(message, m => m.Groups[1].Value.EndsWith(" characters)", StringComparison.Ordinal) ? m.Value
            : $"'{Echo(m.Groups[1].Value)}'");
        return cut.Length <= MaxMessageChars ? cut : $"{Head(cut, 1000)} … {Tail(cut, 400)}";
    }

    /// <summary>Cuts never split a surrogate pair: a lone half would make the error body itself unwritable.</summary>
    private static string Head(string text, int length) =>
        text[..(char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)];

    private static string Tail(string text, int length) =>
        text[^(char.IsLowSurrogate(text[^length]) ? length - 1 : length)..];

    private static readonly System.Text.RegularExpressions.Regex LongQuoted =
        new($"'([^']{{{MaxEchoedChars + 1},}})'", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
}
