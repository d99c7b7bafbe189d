using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace LocalFineTune.Server.Problems;

/// <summary>
/// Reads a JSON object body ourselves instead of model binding, so that malformed JSON, a wrong content type or a
/// wrong field type each get a ProblemDetails naming the field, never a bare 400 or a 500.
/// </summary>
public static class JsonBody
{
    public const int MaxBodyBytes = 1024 * 1024;

    public static async Task<JsonElement> ReadObjectAsync(HttpRequest request, CancellationToken cancellation)
    {
        RequireJsonContentType(request);
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new ApiProblemException("body", "body_too_large",
                $"The request body is {request.ContentLength} bytes; the limit is {MaxBodyBytes}. Send the dataset by dataset_url, not inline.",
                StatusCodes.Status413PayloadTooLarge);
        }
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions
            {
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
            }, cancellation);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ApiProblemException("body", "invalid_json",
                    $"The body is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}; send one JSON object, e.g. {{\"model\": \"gpt2\", \"dataset_url\": \"data/train.csv\"}}.");
            }
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ApiProblemException("body", "invalid_json",
                $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message} Send one JSON object with double-quoted names.");
        }
    }

    /// <summary>
    /// application/json (any +json) is accepted. So are a missing Content-Type and curl's default
    /// application/x-www-form-urlencoded: the seed API's own examples use `curl -d '{...}'` without -H, and those
    /// clients exist. Anything else (text/plain, multipart, xml) is refused with 415.
    /// </summary>
    private static void RequireJsonContentType(HttpRequest request)
    {
        if (string.IsNullOrEmpty(request.ContentType))
        {
            return;
        }
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media))
        {
            throw Unsupported(request.ContentType);
        }
        var type = media.MediaType.Value ?? "";
        var ok = type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        if (!ok)
        {
            throw Unsupported(request.ContentType);
        }
    }

    private static ApiProblemException Unsupported(string contentType) =>
        new("Content-Type", "unsupported_media_type",
            $"Content-Type '{contentType}' is not accepted; send the body as JSON with 'Content-Type: application/json'.",
            StatusCodes.Status415UnsupportedMediaType);
}
