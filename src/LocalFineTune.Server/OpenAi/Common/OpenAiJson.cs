using System.Text.Json;
using System.Text.Json.Serialization;
using LocalFineTune.Server.Problems;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server.OpenAi.Common;

/// <summary>
/// JSON for /v1: snake_case like OpenAI, nulls written (OpenAI sends "finished_at": null, SDKs expect the key),
/// and dictionary keys (metadata) left exactly as the user wrote them.
/// </summary>
public static class OpenAiJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static IResult Ok<T>(T value) => TypedResults.Json(value, Options);

    /// <summary>
    /// Reads one JSON object through the service's one body reader with /v1's rules: Content-Type application/json
    /// only (415 otherwise), cap LocalFineTune:OpenAi:MaxRequestBodyBytes on the bytes read (413), param null for
    /// whole-body problems as OpenAI answers them.
    /// </summary>
    public static Task<JsonElement> ReadObjectAsync(HttpRequest request, CancellationToken cancellation)
    {
        var limit = request.HttpContext.RequestServices.GetService<IOptions<OpenAiOptions>>()?.Value.MaxRequestBodyBytes
            ?? new OpenAiOptions().MaxRequestBodyBytes;
        return JsonBody.ReadObjectAsync(request, new JsonBodyRules(limit, "LocalFineTune:OpenAi:MaxRequestBodyBytes",
            RequireJsonContentType: true, BodyParam: null, TooLargeCode: "request_too_large",
            TooLargeHint: "Upload training data with POST /v1/files and pass its id."), cancellation);
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
        : throw WrongType(param ?? name, v.ValueKind == JsonValueKind.Number ? "a whole number within ±9.2e18" : "an integer", v);

    public static double? Double(JsonElement body, string name, string? param = null) =>
        !body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d
        : throw WrongType(param ?? name, v.ValueKind == JsonValueKind.Number ? "a finite number within ±1.7e308" : "a number", v);

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
