using LocalFineTune.Models.Loading;
using LocalFineTune.Tokenizers;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Evaluation;

/// <summary>Mean next-token cross-entropy (nats per token) over every scored token, its perplexity and the token count.</summary>
public sealed record EvaluationResult(double Loss, double Perplexity, long Tokens);

/// <summary>
/// Scores texts the way `lft eval` documents: each record on its own, tokenized with no special tokens,
/// EOS appended (so the model is also judged on ending the record), truncated to the context length.
/// Records are batched with right padding that is masked out (-100), so batching never changes the result.
/// </summary>
public static class Evaluator
{
    public static EvaluationResult Evaluate(LoadedModel loaded, IEnumerable<string> records, int batchSize = 8,
        CancellationToken cancellationToken = default) =>
        Evaluate(loaded.Model, loaded.Tokenizer, records, batchSize, cancellationToken);

    public static EvaluationResult Evaluate(ICausalLanguageModel model, Tokenizer tokenizer, IEnumerable<string> records,
        int batchSize = 8, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var eos = tokenizer.EosTokenId ?? throw new InvalidOperationException(
            "The tokenizer defines no EOS token, which evaluation appends to every record; set eos_token in tokenizer_config.json.");
        double lossSum = 0;
        long tokens = 0;
        foreach (var batch in records.Select(r => Tokenize(tokenizer, r, eos, model.ContextLength)).Chunk(batchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (sum, count) = ScoreBatch(model, batch, tokenizer.PadTokenId);
            lossSum += sum;
            tokens += count;
        }
        if (tokens == 0)
            throw new InvalidOperationException("Nothing to score: every record was empty. Give at least one non-empty text record.");
        var loss = lossSum / tokens;
        return new EvaluationResult(loss, Math.Exp(loss), tokens);
    }

    /// <summary>Record ids: text tokens + EOS, cut to the context length (the tail beyond it is not scored).</summary>
    public static int[] Tokenize(Tokenizer tokenizer, string record, int eos, int contextLength) =>
        tokenizer.Encode(record, addSpecialTokens: false).Append(eos).Take(contextLength).ToArray();

    /// <summary>Summed CE and scored-token count of one right-padded batch.</summary>
    private static (double Sum, long Count) ScoreBatch(ICausalLanguageModel model, int[][] batch, int padId)
    {
        var width = batch.Max(r => r.Length);
        if (width < 2) return (0, 0); // a lone EOS predicts nothing
        var ids = new long[batch.Length * width];
        var labels = new long[batch.Length * width];
        for (var row = 0; row < batch.Length; row++)
        for (var t = 0; t < width; t++)
        {
            var real = t < batch[row].Length;
            ids[row * width + t] = real ? batch[row][t] : padId;
            labels[row * width + t] = real ? batch[row][t] : LanguageModelLoss.IgnoreIndex;
        }
        using var scope = DisposeScope.Enter();
        using var noGrad = NoGradScope.Enter();
        var labelTensor = Tensor.FromArray(labels, batch.Length, width);
        var logits = model.Forward(Tensor.FromArray(ids, batch.Length, width));                    // [B, T, V]
        var sum = LanguageModelLoss.Compute(logits, labelTensor, Reduction.Sum).ToDouble();
        return (sum, LanguageModelLoss.CountTargets(labelTensor));
    }
}
