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
        if (reader.TokenType == JsonTokenType.String) return AutoInt.Parse(reader.GetString()!, "value");
        throw new JsonException("expected a whole number or \"auto\".");
    }

    public override void Write(Utf8JsonWriter writer, AutoInt value, JsonSerializerOptions options)
    {
        if (value.Value is int number) writer.WriteNumberValue(number);
        else writer.WriteStringValue("auto");
    }
}
