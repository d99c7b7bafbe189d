using System.Globalization;
using System.Text.Json;
using LocalFineTune.Server.OpenAi.Common;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Server.OpenAi.FineTuning;

/// <summary>
/// n_epochs, batch_size and learning_rate_multiplier from either the top-level "hyperparameters" (deprecated by
/// OpenAI, still sent by older clients), method.supervised.hyperparameters, or method.dpo.hyperparameters (which also
/// takes beta). Each is a number or "auto".
/// </summary>
public sealed record HyperparameterRequest(AutoInt Epochs, AutoInt BatchSize, double? LearningRateMultiplier, JsonElement AsSent,
    bool IsDpo = false, double? Beta = null)
{
    public const int MaxEpochs = 50;
    public const int MaxBatchSize = 256;
    public const double MaxMultiplier = 100;

    public static HyperparameterRequest Parse(JsonElement body)
    {
        var (source, prefix, isDpo) = Locate(body);
        var h = source ?? JsonDocument.Parse("{}").RootElement;
        var epochs = AutoNumber(h, "n_epochs", prefix, 1, MaxEpochs);
        var batch = AutoNumber(h, "batch_size", prefix, 1, MaxBatchSize);
        var multiplier = Multiplier(h, prefix);
        var beta = isDpo ? ParseBeta(h, prefix) : null;
        var sent = new Dictionary<string, object>
        {
            ["n_epochs"] = epochs.Value is int e ? e : "auto",
            ["batch_size"] = batch.Value is int b ? b : "auto",
            ["learning_rate_multiplier"] = multiplier is double m ? m : "auto",
        };
        if (isDpo) sent["beta"] = beta is double bt ? bt : "auto";
        return new(epochs, batch, multiplier, JsonSerializer.SerializeToElement(sent), isDpo, beta);
    }

    private static (JsonElement? Hyperparameters, string Prefix, bool IsDpo) Locate(JsonElement body)
    {
        var method = JsonFields.Object(body, "method");
        if (method is { } m)
        {
            var type = JsonFields.String(m, "type", "method.type") ?? "supervised";
            if (type == "reinforcement")
            {
                throw OpenAiException.BadRequest("method.type 'reinforcement' is not supported: this server trains with supervised fine-tuning or DPO. " +
                    "Send method {\"type\": \"supervised\"} or {\"type\": \"dpo\"}, or leave method out.", "method.type", "unsupported_method");
            }
            if (type != "supervised" && type != "dpo")
                throw OpenAiException.BadRequest($"Invalid method.type '{type}'. Use \"supervised\" or \"dpo\".", "method.type", "invalid_value");
            var section = JsonFields.Object(m, type, $"method.{type}");
            var nested = section is { } s ? JsonFields.Object(s, "hyperparameters", $"method.{type}.hyperparameters") : null;
            if (nested is not null && JsonFields.Has(body, "hyperparameters"))
                throw OpenAiException.BadRequest($"Give hyperparameters either at the top level or in method.{type}.hyperparameters, not both.", "hyperparameters", "invalid_value");
            if (nested is not null) return (nested, $"method.{type}.hyperparameters.", type == "dpo");
            if (type == "dpo") return (JsonFields.Object(body, "hyperparameters"), "hyperparameters.", true);
        }
        return (JsonFields.Object(body, "hyperparameters"), "hyperparameters.", false);
    }

    /// <summary>DPO's beta: a number in (0, 2] as OpenAI accepts it, or "auto" (0.1).</summary>
    private static double? ParseBeta(JsonElement h, string prefix)
    {
        if (!h.TryGetProperty("beta", out var v) || v.ValueKind == JsonValueKind.Null) return null;
        double? value = v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDouble(),
            JsonValueKind.String when v.GetString() == "auto" => null,
            JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => throw OpenAiException.BadRequest($"Invalid '{prefix}beta': expected a number or \"auto\", got {JsonFields.Describe(v)}.", prefix + "beta", "invalid_type"),
        };
        if (value is double b && !(b > 0 && b <= DpoOptions.MaxBeta))
            throw OpenAiException.BadRequest($"Invalid '{prefix}beta': {b} is out of range; use a number above 0 and at most {DpoOptions.MaxBeta}, or \"auto\" (= 0.1).", prefix + "beta", "invalid_value");
        return value;
    }

    private static AutoInt AutoNumber(JsonElement h, string name, string prefix, int min, int max)
    {
        if (!h.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return AutoInt.Auto;
        int? value = v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetInt32(out var n) => n,
            JsonValueKind.String when v.GetString() == "auto" => null,
            JsonValueKind.String when int.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
            _ => throw OpenAiException.BadRequest($"Invalid '{prefix}{name}': expected an integer or \"auto\", got {JsonFields.Describe(v)}.", prefix + name, "invalid_type"),
        };
        if (value is int x && (x < min || x > max))
            throw OpenAiException.BadRequest($"Invalid '{prefix}{name}': {x} is out of range; use {min} to {max} or \"auto\".", prefix + name, "invalid_value");
        return new AutoInt(value);
    }

    private static double? Multiplier(JsonElement h, string prefix)
    {
        const string name = "learning_rate_multiplier";
        if (!h.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        double? value = v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDouble(),
            JsonValueKind.String when v.GetString() == "auto" => null,
            JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => throw OpenAiException.BadRequest($"Invalid '{prefix}{name}': expected a number or \"auto\", got {JsonFields.Describe(v)}.", prefix + name, "invalid_type"),
        };
        if (value is double m && !(m > 0 && m <= MaxMultiplier))
            throw OpenAiException.BadRequest($"Invalid '{prefix}{name}': {m} is out of range; use a number above 0 and at most {MaxMultiplier}, or \"auto\" (= 1).", prefix + name, "invalid_value");
        return value;
    }
}
