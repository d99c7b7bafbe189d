using System.Text.Json;
using System.Text.Json.Serialization;
using LocalFineTune.Models.Lora;

namespace LocalFineTune.Training.Options;

/// <summary>
/// The "lora" object of a job: PEFT's names and meanings. The defaults (r 16, alpha 32, dropout 0.05, every linear
/// layer) suit the seed's 1–7B bases: about 0.5–1% of the parameters train.
/// </summary>
public sealed record LoraOptions
{
    public int R { get; init; } = 16;
    public double Alpha { get; init; } = 32;
    public double Dropout { get; init; } = 0.05;

    /// <summary>"all-linear" or module names ("q_proj", "v_proj", …); JSON: one string or a list.</summary>
    [JsonConverter(typeof(TargetModulesJsonConverter))]
    public IReadOnlyList<string> TargetModules { get; init; } = [LoraSettings.AllLinear];

    /// <summary>rsLoRA: scale by alpha/√r instead of alpha/r (steadier at high ranks).</summary>
    public bool UseRslora { get; init; }

    /// <summary>The Models layer's settings; A is drawn from <paramref name="seed"/>.</summary>
    public LoraSettings ToSettings(int seed) => new()
    {
        R = R, Alpha = Alpha, Dropout = Dropout, TargetModules = TargetModules, UseRsLora = UseRslora, Seed = (ulong)seed,
    };

    /// <summary>The settings of a saved adapter, as options (continuing an adapter keeps its shape).</summary>
    public static LoraOptions From(LoraSettings s) => new()
    {
        R = s.R, Alpha = s.Alpha, Dropout = s.Dropout, TargetModules = s.TargetModules, UseRslora = s.UseRsLora,
    };
}

internal sealed class TargetModulesJsonConverter : JsonConverter<IReadOnlyList<string>>
{
    public override IReadOnlyList<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String) return [reader.GetString()!];
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException("expected \"all-linear\", a module name or a list of module names such as [\"q_proj\", \"v_proj\"].");
        var names = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String) throw new JsonException("target_modules must list module names as strings.");
            if (names.Count == 64) throw new JsonException("target_modules lists more than 64 names.");
            names.Add(reader.GetString()!);
        }
        return names;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var name in value) writer.WriteStringValue(name);
        writer.WriteEndArray();
    }
}
