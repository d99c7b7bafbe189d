namespace LocalFineTune.Datasets.Model;

/// <summary>One chat turn. <see cref="Weight"/> follows OpenAI: only on assistant messages,
/// 0 = do not train on this answer, 1 (or absent) = train on it.</summary>
public sealed record ChatMessage(ChatRole Role, string Content, int? Weight = null)
{
    /// <summary>True when the trainer computes loss on this message's tokens.</summary>
    public bool IsTrained => Role == ChatRole.Assistant && Weight != 0;
}
