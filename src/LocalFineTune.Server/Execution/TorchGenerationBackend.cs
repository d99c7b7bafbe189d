using System.Diagnostics;
using LocalFineTune.Models.Loading;
using LocalFineTune.Torch;

namespace LocalFineTune.Server.Execution;

/// <summary>
/// Generation for POST /api/generate on the CPU. Interim: it re-runs the whole (context-truncated) sequence each token
/// instead of using a KV cache, and samples in C# (temperature, top-k, top-p). It is meant to be replaced by the Models
/// layer's TextGenerator once that lands; the endpoint only sees <see cref="IGenerationBackend"/>.
/// </summary>
public sealed class TorchGenerationBackend : IGenerationBackend
{
    public GenerateResult Generate(GenerateRequestParsed request, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        using var loaded = HfModelFolder.Load(request.ModelPath, Device.Cpu);
        loaded.Model.Training = false;
        var tokenizer = loaded.Tokenizer;
        var ids = tokenizer.Encode(request.Prompt).ToList();
        if (ids.Count == 0 && tokenizer.BosTokenId is int bos) ids.Add(bos);
        var promptTokens = ids.Count;
        var random = request.Seed is int seed ? new Random(seed) : Random.Shared;
        var finish = "length";
        using var noGrad = NoGradScope.Enter();
        for (var i = 0; i < request.MaxNewTokens; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var next = NextToken(loaded, ids, request, random);
            if (next == tokenizer.EosTokenId)
            {
                finish = "stop";
                break;
            }
            ids.Add(next);
        }
        var completion = ids.Skip(promptTokens).ToList();
        return new GenerateResult(tokenizer.Decode(completion, skipSpecialTokens: true), promptTokens, completion.Count, finish, clock.Elapsed.TotalSeconds);
    }

    private static int NextToken(LoadedModel loaded, List<int> ids, GenerateRequestParsed request, Random random)
    {
        using var scope = DisposeScope.Enter();
        var window = ids.Skip(Math.Max(0, ids.Count - loaded.Model.ContextLength)).Select(i => (long)i).ToArray();
        var input = Tensor.FromArray(window, 1, window.Length);
        var logits = loaded.Model.Forward(input);
        var last = logits.Select(0, 0).Select(0, window.Length - 1).To(ScalarType.Float32, Device.Cpu).Contiguous().ToArray<float>();
        return Sample(last, request.Temperature, request.TopK, request.TopP, random);
    }

    private static int Sample(float[] logits, double temperature, int? topK, double topP, Random random)
    {
        if (temperature <= 0) return Array.IndexOf(logits, logits.Max());
        var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ToArray();
        if (topK is > 0) order = order.Take(topK.Value).ToArray();
        var max = logits[order[0]];
        var weights = order.Select(i => Math.Exp((logits[i] - max) / temperature)).ToArray();
        var total = weights.Sum();
        // Nucleus: keep the smallest prefix whose probability mass reaches top_p.
        var kept = 0;
        for (double mass = 0; kept < weights.Length && mass < topP * total; kept++) mass += weights[kept];
        var pick = random.NextDouble() * weights.Take(kept).Sum();
        for (var k = 0; k < kept; k++)
        {
            pick -= weights[k];
            if (pick <= 0) return order[k];
        }
        return order[kept - 1];
    }
}
