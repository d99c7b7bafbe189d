namespace LocalFineTune.Server.OpenAi.Common;

/// <summary>OpenAI's list envelope: {"object": "list", "data": [...], "has_more", "first_id", "last_id"}.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Data, bool HasMore, string? FirstId, string? LastId)
{
    public string Object => "list";
}

public static class Paging
{
    /// <summary>Parses ?limit=; OpenAI answers 400 for out-of-range values rather than clamping silently.</summary>
    public static int Limit(string? limit, int fallback, int max)
    {
        if (string.IsNullOrEmpty(limit)) return fallback;
        return int.TryParse(limit, out var n) && n >= 1 && n <= max ? n
            : throw OpenAiException.BadRequest($"Invalid 'limit': '{limit}'. Use a whole number from 1 to {max}.", "limit", "invalid_limit");
    }

    public static ListPage<T> Of<T>(IReadOnlyList<T> items, bool hasMore, Func<T, string> id) =>
        new(items, hasMore, items.Count > 0 ? id(items[0]) : null, items.Count > 0 ? id(items[^1]) : null);
}
