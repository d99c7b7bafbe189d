using System.Text.Json;
using LocalFineTune.Server.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace LocalFineTune.Server.Problems;

/// <summary>
/// How one API surface wants its JSON bodies: the byte cap (and its configuration key, for the error), whether the
/// Content-Type must say JSON, the param named for whole-body problems, and the code of a 413.
/// </summary>
public sealed record JsonBodyRules(long MaxBytes, string MaxBytesKey, bool RequireJsonContentType, string? BodyParam,
    string TooLargeCode, string TooLargeHint)
{
    /// <summary>Nesting deeper than this is refused (400) before any handler walks the document.</summary>
    public const int MaxDepth = 64;
}

/// <summary>
/// The one reader of JSON request bodies on every surface (/api/finetune, /api/generate, /v1). It reads the body
/// ourselves instead of model binding, so that every malformed input is a 4xx naming the field, never a 500:
/// a wrong Content-Type (415), a body over the cap counted on the bytes actually read, chunked or not (413), a body
/// the server could not read (Kestrel's own 4xx), bad JSON or nesting too deep (400), and strings or property names
/// that hold a lone UTF-16 surrogate or invalid UTF-8 (400 naming the JSON path), which would otherwise throw later
/// wherever a handler reads them.
/// </summary>
public static class JsonBody
{
    /// <summary>The seed API's rules (/api/finetune/start, /api/generate): cap LocalFineTune:MaxRequestBodyBytes, lenient Content-Type.</summary>
    public static Task<JsonElement> ReadObjectAsync(HttpRequest request, CancellationToken cancellation)
    {
        var limit = request.HttpContext.RequestServices.GetService<IOptions<ServerOptions>>()?.Value.MaxRequestBodyBytes
            ?? new ServerOptions().MaxRequestBodyBytes;
        return ReadObjectAsync(request, new JsonBodyRules(limit, "LocalFineTune:MaxRequestBodyBytes", RequireJsonContentType: false,
            BodyParam: "body", TooLargeCode: "body_too_large", TooLargeHint: "Send the dataset by dataset_url, not inline."), cancellation);
    }

    public static async Task<JsonElement> ReadObjectAsync(HttpRequest request, JsonBodyRules rules, CancellationToken cancellation)
    {
        CheckContentType(request, rules);
        if (request.ContentLength > rules.MaxBytes) throw TooLarge(rules, $"The request body is {request.ContentLength} bytes");
        var bytes = await ReadCappedAsync(request, rules, cancellation);
        using var document = Parse(bytes, rules);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new ApiProblemException(rules.BodyParam, "invalid_json",
                $"The body is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}; send one JSON object, e.g. {{\"model\": \"gpt2\", ...}}.");
        }
        JsonText.RequireReadableStrings(document.RootElement);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Reads at most MaxBytes + 1 bytes: a chunked body (no Content-Length) over the cap is refused as soon as it
    /// passes it. Kestrel is told the same cap, so it stops a huge body on the socket too.
    /// </summary>
    private static async Task<ReadOnlyMemory<byte>> ReadCappedAsync(HttpRequest request, JsonBodyRules rules, CancellationToken cancellation)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = rules.MaxBytes;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellation)) > 0)
            {
                if (buffer.Length + read > rules.MaxBytes) throw TooLarge(rules, "The request body is larger than that");
                buffer.Write(chunk, 0, read);
            }
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException && !cancellation.IsCancellationRequested)
        {
            // Any failure to read the body is the client's framing: Kestrel reports some (a chunk size that overflows)
            // as a bare IOException with no BadHttpRequestException inside.
            var client = ClientErrors.Find(e) ?? new ClientError(StatusCodes.Status400BadRequest, null, "invalid_request",
                $"The request body could not be read: {ClientText.Echo(e.Message)} Check the body's framing (Content-Length or chunked encoding).");
            throw client.Status == StatusCodes.Status413PayloadTooLarge ? TooLarge(rules, "The request body is larger than that")
                : new ApiProblemException(rules.BodyParam, client.Code, client.Message, client.Status);
        }
        return buffer.ToArray();
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> bytes, JsonBodyRules rules)
    {
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions
            {
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
                MaxDepth = JsonBodyRules.MaxDepth,
            });
        }
        catch (JsonException e)
        {
            throw new ApiProblemException(rules.BodyParam, "invalid_json",
                $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {ClientText.Echo(e.Message)} " +
                $"Send one UTF-8 JSON object with double-quoted names, nested at most {JsonBodyRules.MaxDepth} levels.");
        }
    }

    private static ApiProblemException TooLarge(JsonBodyRules rules, string what) =>
        new(rules.BodyParam, rules.TooLargeCode,
            $"{what}; the limit is {rules.MaxBytes} bytes ({rules.MaxBytesKey}). {rules.TooLargeHint}",
            StatusCodes.Status413PayloadTooLarge);

    /// <summary>
    /// application/json (any +json) always passes. The lenient surface (/api/finetune, whose seed examples use
    /// `curl -d '{...}'` without -H) also takes a missing Content-Type and curl's application/x-www-form-urlencoded.
    /// The strict one (/v1) takes JSON only: text/plain needs no CORS preflight, so accepting it would let any web page
    /// open in a browser on the machine drive a keyless service.
    /// </summary>
    private static void CheckContentType(HttpRequest request, JsonBodyRules rules)
    {
        if (string.IsNullOrEmpty(request.ContentType))
        {
            if (rules.RequireJsonContentType) throw Unsupported("(none)");
            return;
        }
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media)) throw Unsupported(request.ContentType);
        var type = media.MediaType.Value ?? "";
        var ok = type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || (!rules.RequireJsonContentType && type.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase));
        if (!ok) throw Unsupported(request.ContentType);
    }

    private static ApiProblemException Unsupported(string contentType) =>
        new("Content-Type", "unsupported_media_type",
            $"Content-Type '{ClientText.Echo(contentType)}' is not accepted; send the body as JSON with 'Content-Type: application/json'.",
            StatusCodes.Status415UnsupportedMediaType);
}
