using System.Runtime.CompilerServices;
using LocalFineTune.Tokenizers;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Generation;

/// <summary>
/// Continues prompts with a causal LM: prompt once through the model (filling the KV cache), then one token
/// per step. Each step runs under NoGradScope in its own DisposeScope, so memory stays flat however long the
/// output. Runs synchronously on the calling thread (scopes are per thread); the async stream wraps that.
/// </summary>
public sealed class TextGenerator(ICausalLanguageModel model, Tokenizer tokenizer)
{
    /// <summary>Generates to the end; <paramref name="onText"/> gets each text piece as soon as it is safe to show.</summary>
    public GenerationResult Generate(string prompt, GenerationOptions options, Action<string>? onText = null,
        CancellationToken cancellationToken = default)
    {
        var run = new Run();
        foreach (var piece in Pieces(Encode(prompt, cancellationToken), options, run, cancellationToken)) onText?.Invoke(piece);
        return run.Result!;
    }

    /// <summary>Text pieces as they are produced (complete UTF-8 characters only).</summary>
    public IEnumerable<string> Stream(string prompt, GenerationOptions options, CancellationToken cancellationToken = default) =>
        Pieces(Encode(prompt, cancellationToken), options, new Run(), cancellationToken);

    /// <summary>The same pieces for an HTTP response; each step runs on a worker thread, so no scope spans an await.</summary>
    public async IAsyncEnumerable<string> StreamAsync(string prompt, GenerationOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var pieces = Pieces(Encode(prompt, cancellationToken), options, new Run(), cancellationToken).GetEnumerator();
        while (await Task.Run(pieces.MoveNext, cancellationToken)) yield return pieces.Current;
    }

    /// <summary>Token-level generation from ids (used by tests and benchmarks).</summary>
    public GenerationResult GenerateIds(IReadOnlyList<int> promptIds, GenerationOptions options, CancellationToken cancellationToken = default)
    {
        var run = new Run();
        foreach (var _ in Pieces(promptIds, options, run, cancellationToken)) { }
        return run.Result!;
    }

    private sealed class Run
    {
        public GenerationResult? Result;
    }

    /// <summary>Tokenizing a long prompt takes time too: the token is honoured inside it, not only between steps.</summary>
    private int[] Encode(string prompt, CancellationToken cancellationToken) => tokenizer.Encode(prompt, addSpecialTokens: false, cancellationToken);

    private IEnumerable<string> Pieces(IReadOnlyList<int> promptIds, GenerationOptions options, Run run, CancellationToken ct)
    {
        var sampler = new TokenSampler(options);
        var decoder = new StreamingTextDecoder(tokenizer, options.StopStrings);
        // Keep the newest prompt tokens if the prompt alone fills the context: the model can see no more.
        var tokens = promptIds.Skip(Math.Max(0, promptIds.Count - (model.ContextLength - 1))).ToList();
        if (tokens.Count == 0) tokens.Add(tokenizer.BosTokenId ?? tokenizer.EosTokenId ?? 0); // GPT-2 starts from <|endoftext|>
        var promptCount = tokens.Count;
        var generated = new List<int>();
        var finish = GenerationResult.Length;
        using var cache = options.UseKvCache ? model.CreateCache() : null;
        while (generated.Count < options.MaxNewTokens && tokens.Count < model.ContextLength)
        {
            ct.ThrowIfCancellationRequested();
            var next = sampler.Next(NextLogits(tokens, cache), tokens);
            generated.Add(next);
            tokens.Add(next);
            if (options.StopOnEos && next == tokenizer.EosTokenId) { finish = GenerationResult.Stop; break; }
            var piece = decoder.Push(next);
            if (piece.Length > 0) yield return piece;
            if (decoder.StopStringFound) { finish = GenerationResult.Stop; break; }
        }
        var rest = decoder.Flush();
        if (rest.Length > 0) yield return rest;
        run.Result = new GenerationResult(decoder.Text, generated, promptCount, finish);
    }

    /// <summary>Logits of the last position as floats; with a cache only the not-yet-cached tokens are fed.</summary>
    private float[] NextLogits(List<int> tokens, KeyValueCache? cache)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = NoGradScope.Enter();
        var feed = tokens.Skip(cache?.Length ?? 0).Select(t => (long)t).ToArray();
        var ids = Tensor.FromArray(feed, 1, feed.Length);
        var logits = model.Forward(ids, cache);                     // [1, T, V]
        var last = logits.Select(1, feed.Length - 1).Select(0, 0);  // [V]
        return last.To(ScalarType.Float32).Contiguous().ToArray<float>();
    }
}
