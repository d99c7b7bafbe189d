using System.Text.Json;
using System.Text.Json.Nodes;
using LocalFineTune.Server.OpenAi.Common;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Server.OpenAi.FineTuning;

/// <summary>
/// Our extension to OpenAI's job body: an "lft" object with the fields /api/finetune/start takes for how weights
/// train ("method": full|lora|auto, "lora": {...}, "merge", "gradient_checkpointing", "dtype": auto|float32|bfloat16). OpenAI's SDKs send it through
/// extra_body (Python) or a raw body property (.NET), so their clients work unchanged. Without it the method is auto.
/// </summary>
public static class MethodExtension
{
    public const string Field = "lft";
    private static readonly HashSet<string> Allowed = ["method", "lora", "merge", "gradient_checkpointing", "dtype"];

    /// <summary>The defaults with the extension laid over, the method resolved for <paramref name="device"/>.</summary>
    public static TrainingOptions Resolve(TrainingOptions defaults, JsonElement body, string modelPath, string device)
    {
        var options = defaults with { Device = device };
        if (body.TryGetProperty(Field, out var extension)) options = Apply(options, extension);
        try
        {
            return MethodResolver.Resolve(options, modelPath).Options;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
        {
            throw OpenAiException.BadRequest(e.Message, $"{Field}.{(e as ArgumentException)?.ParamName ?? "method"}", "invalid_value");
        }
    }

    private static TrainingOptions Apply(TrainingOptions options, JsonElement extension)
    {
        if (extension.ValueKind != JsonValueKind.Object)
            throw OpenAiException.BadRequest($"'{Field}' must be an object such as {{\"method\": \"lora\", \"lora\": {{\"r\": 16}}}}.", Field, "invalid_value");
        var merged = JsonSerializer.SerializeToNode(options, TrainingOptions.JsonOptions)!.AsObject();
        foreach (var property in extension.EnumerateObject())
        {
            if (!Allowed.Contains(property.Name))
                throw OpenAiException.BadRequest($"'{Field}.{ClientText(property.Name)}' is not an option here; '{Field}' takes {string.Join(", ", Allowed)}. " +
                    "Give epochs, batch size and learning rate in method.supervised.hyperparameters.", $"{Field}.{ClientText(property.Name)}", "invalid_value");
            if (property.Value.ValueKind == JsonValueKind.String && property.Name == "method" && property.Value.GetString() == "dpo")
                throw OpenAiException.BadRequest("Ask for DPO with OpenAI's method {\"type\": \"dpo\"}, not in 'lft.method'.", $"{Field}.method", "invalid_value");
            merged[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }
        TrainingOptions result;
        try
        {
            result = merged.Deserialize<TrainingOptions>(TrainingOptions.JsonOptions)!;
        }
        catch (JsonException e)
        {
            var path = e.Path is { Length: > 2 } p ? p[2..] : "";
            throw OpenAiException.BadRequest($"Invalid '{Field}.{path}': {e.Message.Split(" Path:")[0]}", $"{Field}.{path}", "invalid_value");
        }
        // With OpenAI's method dpo, lft.method only says how the weights train: "lora" means DPO with adapters.
        if (options.Method == TrainingMethod.Dpo)
            result = result with { Method = TrainingMethod.Dpo, Lora = result.Method == TrainingMethod.Lora ? result.Lora ?? new LoraOptions() : result.Lora };
        var errors = TrainingOptionsValidator.Validate(result);
        if (errors.Count > 0)
            throw OpenAiException.BadRequest($"Invalid '{Field}': {string.Join("; ", errors)}.", $"{Field}.{errors[0].Field}", "invalid_value");
        return result;
    }

    private static string ClientText(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
