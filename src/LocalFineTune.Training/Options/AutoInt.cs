using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LocalFineTune.Training.Options;

/// <summary>
/// A whole number or "auto", as OpenAI's fine-tuning API accepts for n_epochs and batch_size.
/// JSON: a number, or the string "auto" (a numeric string such as "3" is accepted too, since HTTP forms send strings).
/// </summary>
[JsonConverter(typeof(AutoIntJsonConverter))]
public readonly record struct AutoInt(int? Value)
{
    public static readonly AutoInt Auto = new(null);

    public bool IsAuto => Value is null;

    public static implicit operator AutoInt(int value) => new(value);

    /// <summary>Parses "auto" or an integer; throws FormatException naming the field otherwise.</summary>
    public static AutoInt Parse(string text, string field)
    {
        var trimmed = text.Trim();
        if (trimmed.Equals("auto", StringComparison.OrdinalIgnoreCase)) return Auto;
        if (int.TryParse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return new(value);
        throw new FormatException($"{field}: \"{text}\" is neither a whole number nor \"auto\".");
    }

    public override string ToString() => Value?.ToString(CultureInfo.InvariantCulture) ?? "auto";
}

internal sealed class AutoIntJsonConverter : JsonConverter<AutoInt>
{
    public override AutoInt Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number)) return new AutoInt(number);
        // A JsonException (not Parse's FormatException) so the serializer adds the field's path and callers that map
        // bad JSON to a 400 see this as one: "three", "NaN" or 1e400 are the client's mistake.
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString()!;
            try
            {
                return AutoInt.Parse(text, "value");
            }
            catch (FormatException e)
            {
                throw new JsonException($"expected a whole number or \"auto\", got the string \"{(text.Length > 40 ? text[..40] + "…" : text)}\".", e);
            }
        }
        throw new JsonException(reader.TokenType == JsonTokenType.Number
            ? "expected a whole number within ±2147483647 or \"auto\", got a number that is not one."
            : "expected a whole number or \"auto\".");
    }

    public override void Write(Utf8JsonWriter writer, AutoInt value, JsonSerializerOptions options)
    {
        if (value.Value is int number) writer.WriteNumberValue(number);
        else writer.WriteStringValue("auto");
    }
}
