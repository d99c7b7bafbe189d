using System.Security.Cryptography;

namespace LocalFineTune.Jobs;

public static class JobIds
{
    public const string Prefix = "ftjob-";
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>"ftjob-" + 24 random base62 characters (~143 bits): OpenAI's shape, valid in both APIs and in URLs.</summary>
    public static string NewJobId() => Prefix + RandomNumberGenerator.GetString(Base62, 24);

    /// <summary>Identifies this worker process in leases; a new value per process start, so a restart sees its old jobs as orphans.</summary>
    public static string NewOwnerId() =>
        $"{Environment.MachineName}:{Environment.ProcessId}:{RandomNumberGenerator.GetString(Base62, 8)}";

    public static bool LooksLikeJobId(string? id) =>
        id is not null && id.StartsWith(Prefix, StringComparison.Ordinal) && id.Length > Prefix.Length
        && id.Length <= 64 && id.AsSpan(Prefix.Length).IndexOfAnyExcept(Base62 + "-_") < 0;
}
