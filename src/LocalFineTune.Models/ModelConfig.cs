using System.Text.Json;
using System.Text.Json.Nodes;
using LocalFineTune.Models.Decoder;
using LocalFineTune.Models.Families;
using LocalFineTune.Models.Gpt2;

namespace LocalFineTune.Models;

/// <summary>
/// A model's config.json, family-neutral: what callers need (type, context, vocabulary, size, dtype) plus the
/// decoder it describes and the raw JSON, so a save writes back every field it had, every field we read
/// (with the default we assumed), model_type and architectures.
/// </summary>
public sealed class ModelConfig
{
    private readonly JsonObject _json;

    private ModelConfig(JsonObject json, DecoderSpec spec)
    {
        _json = json;
        Spec = spec;
    }

    public string ModelType => Spec.ModelType;
    public IReadOnlyList<string> Architectures => _json["architectures"] is JsonArray a ? a.Select(n => n?.ToString() ?? "").ToList() : [];
    public int ContextLength => Spec.ContextLength;
    public int VocabSize => Spec.VocabSize;
    public long ParameterCount => DecoderParameters.Count(Spec);

    /// <summary>The weights' dtype as config.json states it ("float32", "bfloat16", …).</summary>
    public string TorchDtype => (_json["torch_dtype"] ?? _json["dtype"])?.GetValue<string>() ?? "float32";

    /// <summary>The decoder this config describes.</summary>
    public DecoderSpec Spec { get; }

    /// <summary>A copy of config.json as it will be saved.</summary>
    public JsonObject Json => (JsonObject)_json.DeepClone();

    public static ModelConfig Load(string configPath)
    {
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"No config.json at '{configPath}': a Hugging Face model folder needs one " +
                "(copy it from the model's repository).", configPath);
        try { return Parse(File.ReadAllText(configPath)); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"config.json at '{configPath}' is not a valid model config: {e.Message}", e);
        }
    }

    public static ModelConfig Parse(string json) =>
        FromJson(JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException("config.json must be a JSON object."));

    public static ModelConfig FromGpt2(Gpt2Config config) => Parse(Gpt2ConfigJson.ToJson(config));

    public static ModelConfig FromJson(JsonObject root)
    {
        var family = FamilyOf(root);
        if (family is Gpt2Family)
        {
            // GPT-2 keeps its own writer: save_pretrained's exact config.json.
            var normalized = (JsonObject)JsonNode.Parse(Gpt2ConfigJson.ToJson(Gpt2ConfigJson.Parse(root.ToJsonString())))!;
            return new ModelConfig(normalized, family.Describe(new ConfigReader(normalized, family.ModelType)));
        }
        var json = (JsonObject)root.DeepClone();
        var reader = new ConfigReader(json, family.ModelType);
        var spec = family.Describe(reader);
        foreach (var (key, value) in reader.Resolved)
            if (!json.ContainsKey(key)) json[key] = value?.DeepClone();
        json["model_type"] = family.ModelType;
        if (json["architectures"] is not JsonArray { Count: > 0 }) json["architectures"] = new JsonArray(family.Architecture);
        return new ModelConfig(json, spec);
    }

    /// <summary>The same config with torch_dtype naming the dtype the weights are (or will be) saved in.</summary>
    public ModelConfig WithTorchDtype(string dtypeName)
    {
        var json = Json;
        json.Remove("dtype");
        json["torch_dtype"] = dtypeName;
        return new ModelConfig(json, Spec);
    }

    /// <summary>config.json text as save_pretrained writes it: sorted keys, two-space indent.</summary>
    public string ToJson()
    {
        var sorted = new JsonObject();
        foreach (var (key, value) in _json.OrderBy(p => p.Key, StringComparer.Ordinal)) sorted[key] = value?.DeepClone();
        return sorted.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>generation_config.json as transformers derives it from the model config.</summary>
    public string GenerationConfigJson()
    {
        var root = new JsonObject { ["_from_model_config"] = true };
        if (_json["bos_token_id"] is { } bos) root["bos_token_id"] = bos.DeepClone();
        if (_json["eos_token_id"] is { } eos) root["eos_token_id"] = eos.DeepClone();
        if (_json["pad_token_id"] is { } pad) root["pad_token_id"] = pad.DeepClone();
        root["transformers_version"] = "4.57.1";
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static IModelFamily FamilyOf(JsonObject root)
    {
        if (root["model_type"] is JsonValue v && v.TryGetValue<string>(out var type)) return ModelFamilies.Get(type);
        if (root["model_type"] is { } other)
            throw new InvalidDataException($"config.json \"model_type\" must be a string, not {other.ToJsonString()}.");
        var architecture = (root["architectures"] as JsonArray)?.FirstOrDefault()?.ToString();
        // Old GPT-2 configs carry neither key; transformers then means GPT-2.
        return architecture is null ? ModelFamilies.Get("gpt2")
            : ModelFamilies.ByArchitecture(architecture) ?? throw new NotSupportedException(
                $"config.json has no model_type and architecture \"{architecture}\" is not supported. " +
                $"Supported model types: {string.Join(", ", ModelFamilies.SupportedModelTypes)}.");
    }
}
