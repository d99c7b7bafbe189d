using System.Diagnostics;
using LocalFineTune.Models.Generation;
using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;

namespace LocalFineTune.Server.Execution;

/// <summary>
/// POST /api/generate on the CPU through the Models layer's <see cref="TextGenerator"/> (KV cache, temperature,
/// top-k, top-p). The model is loaded per request: a try-a-model endpoint, not a serving path.
/// </summary>
public sealed class TorchGenerationBackend : IGenerationBackend
{
    public GenerateResult Generate(GenerateRequestParsed request, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        using var loaded = HfModelFolder.Load(request.ModelPath, Device.Cpu);
        loaded.Model.Training = false;
        var options = new GenerationOptions
        {
            MaxNewTokens = request.MaxNewTokens,
            Temperature = request.Temperature,
            TopK = request.TopK ?? 0,
            TopP = request.TopP,
            Seed = request.Seed is int seed ? (ulong)seed : null,
        }.Validate();
        var result = new TextGenerator(loaded.Model, loaded.Tokenizer).Generate(request.Prompt, options, cancellationToken: cancellation);
        return new GenerateResult(result.Text, result.PromptTokens, result.Ids.Count, result.FinishReason, clock.Elapsed.TotalSeconds);
    }
}
