using System.Text.Json;
using LocalFineTune.Hub;
using LocalFineTune.SafeTensors;

namespace LocalFineTune.Server.Catalog;

/// <summary>One catalog base as GET /api/finetune/info lists it: where it comes from, whether it is here, what it needs.</summary>
public sealed record CatalogModelView(
    string Name,
    string Repository,
    string Family,
    long Parameters,
    string ParametersSource,
    int ContextLength,
    bool Gated,
    string LicencePage,
    bool Present,
    string? PullCommand,
    double FullFineTuneGb,
    double LoraFineTuneGb);

/// <summary>
/// The seed's base names with their memory needs. The parameter count is the published figure until the weights are on
/// disk; then it is summed from the safetensors headers (no tensor data is read).
/// </summary>
public static class CatalogView
{
    /// <summary>fp32 weights (4) + gradients (4) + AdamW's two moments (8) per parameter; activations come on top.</summary>
    public const double FullBytesPerParameter = 16;

    /// <summary>Adapters as a share of the base's parameters (r=16 on the attention and MLP projections is about 1%).</summary>
    public const double LoraAdapterShare = 0.01;

    /// <summary>Activations of a LoRA step (batch 4 × 512 tokens, recomputed nowhere) as a share of the weights' bytes.</summary>
    public const double LoraActivationShare = 0.25;

    public const string FullFormula = "full_finetune_gb = parameters × 16 bytes (fp32 weights 4 + gradients 4 + AdamW moments 8) / 1e9, activations not included";
    public const string LoraFormula = "lora_finetune_gb = (parameters × weight_bytes (2 for bf16/f16, 4 for f32) × (1 + 0.25 activations) " +
                                      "+ 1% of parameters as adapters × 16 bytes) / 1e9";

    public static IReadOnlyList<CatalogModelView> List(ModelCatalog catalog) =>
        BaseModelCatalog.Entries.Select(entry => View(entry, Path.Combine(catalog.BaseRoot, entry.Name))).ToList();

    private static CatalogModelView View(CatalogEntry entry, string folder)
    {
        var local = Directory.Exists(folder) ? LocalWeights(folder) : null;
        var parameters = local?.Parameters ?? entry.Parameters;
        // Published checkpoints of these families ship bf16/f16 weights except GPT-2's f32.
        var weightBytes = local?.BytesPerParameter ?? (entry.Family == "gpt2" ? 4.0 : 2.0);
        return new CatalogModelView(
            entry.Name, entry.Repository, entry.Family, parameters, local is null ? "published" : "safetensors",
            entry.ContextLength, entry.Gated, entry.LicencePage("https://huggingface.co"), Directory.Exists(folder),
            Directory.Exists(folder) ? null : $"lft pull {entry.Name}",
            Gb(parameters * FullBytesPerParameter),
            Gb(parameters * weightBytes * (1 + LoraActivationShare) + parameters * LoraAdapterShare * FullBytesPerParameter));
    }

    private static double Gb(double bytes) => Math.Round(bytes / 1e9, 2);

    /// <summary>Parameter count and mean bytes per parameter from the folder's safetensors headers; null when unreadable.</summary>
    public static (long Parameters, double BytesPerParameter)? LocalWeights(string folder)
    {
        try
        {
            using var checkpoint = SafeTensorsCheckpoint.OpenFolder(folder);
            long elements = 0, bytes = 0;
            foreach (var file in checkpoint.Files)
            {
                foreach (var tensor in file.Tensors.Values)
                {
                    elements += tensor.ElementCount;
                    bytes += tensor.ByteLength;
                }
            }
            return elements > 0 ? (elements, (double)bytes / elements) : null;
        }
        catch (Exception e) when (e is IOException or SafeTensorsException or JsonException or UnauthorizedAccessException or InvalidOperationException)
        {
            // A half-copied or foreign folder only loses the local count; the published figure stands.
            return null;
        }
    }
}
