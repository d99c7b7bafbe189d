using System.Text.Json;
using System.Text.Json.Nodes;
using LocalFineTune.SafeTensors;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Lora;

/// <summary>
/// LoRA adapters in PEFT's on-disk format, so PEFT loads ours and we load PEFT's: adapter_config.json (peft_type
/// LORA, task_type CAUSAL_LM, r, lora_alpha, lora_dropout, target_modules, fan_in_fan_out, use_rslora, …) and
/// adapter_model.safetensors with keys "base_model.model.&lt;module path&gt;.lora_A.weight" [r, in] and
/// ".lora_B.weight" [out, r], float32.
/// </summary>
public static class PeftAdapter
{
    public const string ConfigFileName = "adapter_config.json";
    public const string WeightsFileName = "adapter_model.safetensors";
    private const string KeyPrefix = "base_model.model.";

    public static void Save(string dir, LoraSettings settings, IReadOnlyList<LoraLinear> adapters, string baseModelNameOrPath)
    {
        if (adapters.Count == 0) throw new ArgumentException("there is no adapter to save: the model has no LoRA layer.", nameof(adapters));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, ConfigFileName), ConfigJson(settings, adapters, baseModelNameOrPath));
        var tensors = adapters.SelectMany(l => new[] { ToWrite(KeyPrefix + l.Path + ".lora_A.weight", l.A), ToWrite(KeyPrefix + l.Path + ".lora_B.weight", l.B) });
        SafeTensorsWriter.Write(Path.Combine(dir, WeightsFileName), SafeTensorsWriter.InFileOrder(tensors), SafeTensorsWriter.PyTorchMetadata);
    }

    /// <summary>The settings and the (A, B) pairs by module path; tensors are on the CPU in float32 (dispose them).</summary>
    public static (LoraSettings Settings, string? BaseModel, Dictionary<string, (Tensor A, Tensor B)> Weights) Load(string dir)
    {
        var configPath = Path.Combine(dir, ConfigFileName);
        var weightsPath = Path.Combine(dir, WeightsFileName);
        if (!File.Exists(configPath) || !File.Exists(weightsPath))
            throw new FileNotFoundException($"{dir} is not a PEFT LoRA adapter: it needs {ConfigFileName} and {WeightsFileName}.");
        var (settings, baseModel) = ParseConfig(File.ReadAllText(configPath), configPath);
        using var file = SafeTensorsFile.Open(weightsPath);
        var a = new Dictionary<string, Tensor>();
        var b = new Dictionary<string, Tensor>();
        foreach (var name in file.Tensors.Keys)
        {
            var (path, isA) = ParseKey(name, weightsPath);
            (isA ? a : b)[path] = Read(file, name);
        }
        var unpaired = a.Keys.Except(b.Keys).Concat(b.Keys.Except(a.Keys)).ToList();
        if (unpaired.Count > 0)
            throw new InvalidDataException($"{weightsPath}: {string.Join(", ", unpaired)} lack their lora_A or lora_B pair; the file is damaged.");
        return (settings, baseModel, a.Keys.ToDictionary(k => k, k => (a[k], b[k])));
    }

    /// <summary>Only the settings of the adapter in <paramref name="dir"/> (its adapter_config.json), without reading weights.</summary>
    public static LoraSettings ReadSettings(string dir)
    {
        var configPath = Path.Combine(dir, ConfigFileName);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{dir} is not a PEFT LoRA adapter: it has no {ConfigFileName}.");
        return ParseConfig(File.ReadAllText(configPath), configPath).Item1;
    }

    public static string ConfigJson(LoraSettings settings, IReadOnlyList<LoraLinear> adapters, string baseModelNameOrPath)
    {
        var targets = settings.TargetsAllLinear
            ? adapters.Select(l => l.Path[(l.Path.LastIndexOf('.') + 1)..]).Distinct().Order(StringComparer.Ordinal).ToList()
            : [.. settings.TargetModules];
        var config = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["base_model_name_or_path"] = baseModelNameOrPath,
            ["r"] = settings.R,
            ["lora_alpha"] = settings.Alpha,
            ["lora_dropout"] = settings.Dropout,
            ["target_modules"] = new JsonArray([.. targets.Select(t => (JsonNode)t)]),
            ["bias"] = "none",
            ["fan_in_fan_out"] = adapters.Any(l => l.FanInFanOut),
            ["use_rslora"] = settings.UseRsLora,
            ["init_lora_weights"] = true,
            ["modules_to_save"] = null,
            ["inference_mode"] = true,
        };
        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static (LoraSettings, string?) ParseConfig(string json, string path)
    {
        var root = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException($"{path} is not a JSON object.");
        if ((string?)root["peft_type"] is { } type && type != "LORA")
            throw new InvalidDataException($"{path}: peft_type is {type}; only LORA adapters are supported.");
        var targets = root["target_modules"] switch
        {
            JsonArray list => list.Select(t => (string)t!).ToList(),
            JsonValue one => [(string)one!],
            _ => throw new InvalidDataException($"{path} has no target_modules."),
        };
        var settings = new LoraSettings
        {
            R = (int?)root["r"] ?? throw new InvalidDataException($"{path} has no r."),
            Alpha = (double?)root["lora_alpha"] ?? 8,
            Dropout = (double?)root["lora_dropout"] ?? 0,
            TargetModules = targets,
            UseRsLora = (bool?)root["use_rslora"] ?? false,
        };
        return (settings, (string?)root["base_model_name_or_path"]);
    }

    private static (string Path, bool IsA) ParseKey(string name, string file)
    {
        foreach (var (suffix, isA) in new[] { (".lora_A.weight", true), (".lora_B.weight", false) })
            if (name.StartsWith(KeyPrefix, StringComparison.Ordinal) && name.EndsWith(suffix, StringComparison.Ordinal))
                return (name[KeyPrefix.Length..^suffix.Length], isA);
        throw new InvalidDataException($"{file}: tensor {name} is not base_model.model.<module>.lora_A/lora_B.weight; " +
            "only LoRA adapters without modules_to_save or bias training are supported.");
    }

    private static Tensor Read(SafeTensorsFile file, string name)
    {
        var entry = file.GetEntry(name);
        var type = entry.DType switch
        {
            SafeTensorDType.F32 => ScalarType.Float32,
            SafeTensorDType.F16 => ScalarType.Float16,
            SafeTensorDType.BF16 => ScalarType.BFloat16,
            var other => throw new InvalidDataException($"{file.Path}: {name} is {other}; adapters must be F32, F16 or BF16."),
        };
        using var raw = Tensor.FromBytes(file.GetBytes(name), entry.Shape, type);
        return raw.To(ScalarType.Float32, copy: true);
    }

    private static TensorToWrite ToWrite(string name, Tensor t)
    {
        using var noGrad = NoGradScope.Enter();
        using var cpu = t.Detach().To(ScalarType.Float32, Device.Cpu, copy: true);
        return TensorToWrite.FromBytes(name, SafeTensorDType.F32, t.Shape, cpu.ToBytes());
    }
}
