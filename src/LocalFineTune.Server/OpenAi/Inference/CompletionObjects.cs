namespace LocalFineTune.Server.OpenAi.Inference;

public sealed record Usage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}

public sealed record AssistantMessage(string Content)
{
    public string Role => "assistant";
    public string? Refusal => null;
}

public sealed record ChatChoice(int Index, AssistantMessage Message, string FinishReason)
{
    public object? Logprobs => null;
}

/// <summary>chat.completion and chat.completion.chunk share the envelope; Choices differ.</summary>
public sealed record ChatCompletion(string Id, string Object, long Created, string Model, IReadOnlyList<object> Choices, Usage? Usage)
{
    public string? SystemFingerprint => null;
}

public sealed record ChunkDelta(string? Role, string? Content);

public sealed record ChatChunkChoice(int Index, ChunkDelta Delta, string? FinishReason)
{
    public object? Logprobs => null;
}

public sealed record TextChoice(int Index, string Text, string? FinishReason)
{
    public object? Logprobs => null;
}
