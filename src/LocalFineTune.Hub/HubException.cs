namespace LocalFineTune.Hub;

/// <summary>A download that cannot go on; the message says what to do (accept a licence, set HF_TOKEN, check a name).</summary>
public sealed class HubException(string message, int? statusCode = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The hub's HTTP status when the error came from an answer (401/403 gated, 404 not found).</summary>
    public int? StatusCode { get; } = statusCode;
}
