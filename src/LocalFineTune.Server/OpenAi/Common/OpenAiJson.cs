using System.Text.Json;
using System.Text.Json.Serialization;

namespace LocalFineTune.Server.OpenAi.Common;

/// <summary>
/// JSON for /v1: snake_case like OpenAI, nulls written (OpenAI sends "finished_at": null, SDKs expect the key),
/// and dictionary keys (metadata) left exactly as the user wrote them.
/// </summary>
public static class OpenAiJson
{
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static IResult Ok<T>(T value) => TypedResults.Json(value, Options);

    /// <summary>Reads one JSON object; malformed JSON, a non-object or a huge body become 400/413 with a fix hint.</summary>
    public static async Task<JsonElement> ReadObjectAsync(HttpRequest request, CancellationToken cancellation)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new OpenAiException(413, $"The request body is {request.ContentLength} bytes; the limit is {MaxBodyBytes}. " +
                "Upload training data with POST /v1/files and pass its id.", null, "request_too_large");
        }
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellation);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw OpenAiException.BadRequest("The request body must be a JSON object, e.g. {\"model\": \"gpt2\", ...}.", null, "invalid_json");
            }
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw OpenAiException.BadRequest($"We could not parse the JSON body of your request (line {e.LineNumber + 1}, " +
                $"byte {e.BytePositionInLine + 1}). Send one valid JSON object with double-quoted names.", null, "invalid_json");
        }
    }
}

/// <summary>Typed reads of request fields with OpenAI-style "wrong type" errors naming the field (param).</summary>
public static class JsonFields
{
    public static bool Has(JsonElement body, string name) =>
        body.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public static string? String(JsonElement body, string name, string? param = null) =>
        !body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw WrongType(param ?? name, "a string", v);

    public static string RequiredString(JsonElement body, string name, string hint)
    {
        var value = String(body, name);
        return string.IsNullOrWhiteSpace(value)
            ? throw OpenAiException.BadRequest($"Missing required parameter: '{name}'. {hint}", name, "missing_required_parameter")
            : value;
    }

    public static long? Long(JsonElement body, string name, string? param = null) =>
        !body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var i) ? i
        : throw WrongType(param ?? name, "an integer", v);

    public static double? Double(JsonElement body, string name, string? param = null) =>
        !body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : throw WrongType(param ?? name, "a number", v);

    public static bool? Bool(JsonElement body, string name) =>
        !body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean()
        : throw WrongType(name, "a boolean", v);

    public static JsonElement? Object(JsonElement body, string name, string? param = null) =>
        !body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Object ? v
        : throw WrongType(param ?? name, "an object", v);

    public static OpenAiException WrongType(string param, string expected, JsonElement actual) =>
        OpenAiException.BadRequest($"Invalid type for '{param}': expected {expected}, but got {Describe(actual)}.", param, "invalid_type");

    public static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
