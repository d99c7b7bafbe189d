namespace LocalFineTune.Models.Generation;

/// <summary>How to continue a prompt. The defaults decode greedily, as transformers' generate() does.</summary>
public sealed record GenerationOptions
{
    /// <summary>Upper bound on generated tokens (EOS included); generation also stops at the context length.</summary>
    public int MaxNewTokens { get; init; } = 64;

    /// <summary>0 = greedy (argmax); otherwise sample from softmax(logits / temperature).</summary>
    public double Temperature { get; init; }

    /// <summary>Sample only among the k most likely tokens; 0 = off.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus sampling: the smallest set of top tokens whose probability reaches top_p; 1 = off.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>CTRL-style penalty on every token already in prompt or output (&gt; 1 discourages repeats); 1 = off.</summary>
    public double RepetitionPenalty { get; init; } = 1.0;

    /// <summary>Stop as soon as the output contains one of these; the stop string itself is not returned.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Stop when the model emits the tokenizer's EOS token.</summary>
    public bool StopOnEos { get; init; } = true;

    /// <summary>Same seed, same prompt, same options → same output. Null draws a fresh seed.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Feed only the newest token each step (false re-feeds the whole sequence; for benchmarks and checks).</summary>
    public bool UseKvCache { get; init; } = true;

    public bool IsGreedy => Temperature <= 0;

    public GenerationOptions Validate()
    {
        if (MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "max_new_tokens must be ≥ 0.");
        if (Temperature < 0 || double.IsNaN(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "temperature must be ≥ 0 (0 = greedy).");
        if (TopK < 0) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "top_k must be ≥ 0 (0 = off).");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top_p must be in (0, 1].");
        if (!(RepetitionPenalty > 0)) throw new ArgumentOutOfRangeException(nameof(RepetitionPenalty), RepetitionPenalty, "repetition_penalty must be > 0 (1 = off).");
        if (StopStrings.Any(string.IsNullOrEmpty)) throw new ArgumentException("stop strings must not be empty.", nameof(StopStrings));
        return this;
    }
}

/// <summary>What a generation produced. <see cref="Ids"/> are the new tokens only (EOS included when it stopped there).</summary>
public sealed record GenerationResult(string Text, IReadOnlyList<int> Ids, int PromptTokens, string FinishReason)
{
    public const string Stop = "stop";
    public const string Length = "length";
}
