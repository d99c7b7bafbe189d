using System.Text.Json;
using System.Text.Json.Nodes;

namespace LocalFineTune.Training.Options;

/// <summary>
/// The one place every surface (lft train, POST /api/finetune/start, POST /v1/fine_tuning/jobs) takes its
/// hyperparameter defaults from, so the same job trains the same way whichever way it was started:
/// <list type="number">
/// <item>the trainer's defaults (<see cref="TrainingOptions"/>: 3 epochs, batch 4, learning rate 2e-5, for pretrained bases);</item>
/// <item>overlaid by the model folder's <see cref="FileName"/> (a base carries its own, e.g. the random-init tiny-gpt2 sets 1e-3);</item>
/// <item>without that file, a fine-tuned folder continues at the learning_rate in its training_args.json.</item>
/// </list>
/// What the caller gives explicitly is laid over the result with <see cref="Apply"/>.
/// </summary>
public static class TrainingDefaults
{
    public const string FileName = "training_defaults.json";
    private const string TrainingArgsFile = "training_args.json";

    /// <summary>The defaults for a job on this model folder (a base, or a fine-tuned folder being trained again).</summary>
    public static TrainingOptions For(string modelDir) => Apply(modelDir, new JsonObject());

    /// <summary>
    /// The defaults for <paramref name="modelDir"/> with <paramref name="given"/> (snake_case fields, as the API takes
    /// them) laid over. Throws <see cref="JsonException"/> for a field of the wrong type or, with
    /// <paramref name="strict"/>, an unknown one; <see cref="InvalidDataException"/> when the folder's own file is broken.
    /// </summary>
    public static TrainingOptions Apply(string modelDir, JsonObject given, bool strict = false)
    {
        var merged = JsonSerializer.SerializeToNode(new TrainingOptions(), TrainingOptions.JsonOptions)!.AsObject();
        foreach (var (name, value) in FolderDefaults(modelDir)) merged[name] = value?.DeepClone();
        foreach (var (name, value) in given) merged[name] = value?.DeepClone();
        var json = strict ? StrictJson : TrainingOptions.JsonOptions;
        return merged.Deserialize<TrainingOptions>(json) ?? new TrainingOptions();
    }

    /// <summary>The per-model fields (what <see cref="FileName"/> or training_args.json sets), for /api/finetune/info.</summary>
    public static JsonObject FolderDefaults(string modelDir)
    {
        var path = Path.Combine(modelDir, FileName);
        if (File.Exists(path))
        {
            try
            {
                var node = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                    ?? throw new InvalidDataException($"{path} must hold a JSON object of hyperparameters, e.g. {{\"learning_rate\": 1e-3}}.");
                // Validate the names and types now, so a typo in the file names the file rather than the request.
                node.Deserialize<TrainingOptions>(StrictJson);
                return node;
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path} is not valid: {e.Message} It holds hyperparameters in snake_case, e.g. {{\"learning_rate\": 1e-3}}.", e);
            }
        }
        return ContinuedLearningRate(modelDir) is { } rate ? new JsonObject { ["learning_rate"] = rate } : [];
    }

    /// <summary>A fine-tuned model continues at the rate it was trained with (read from its training_args.json).</summary>
    private static double? ContinuedLearningRate(string modelDir)
    {
        var args = Path.Combine(modelDir, TrainingArgsFile);
        if (!File.Exists(args)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(args));
            return doc.RootElement.TryGetProperty("learning_rate", out var lr) && lr.TryGetDouble(out var rate) && rate > 0 ? rate : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null; // an unreadable training_args.json only loses the continued rate
        }
    }

    private static readonly JsonSerializerOptions StrictJson = new(TrainingOptions.JsonOptions)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };
}
