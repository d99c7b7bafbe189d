using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LocalFineTune.Hub.Tests;

/// <summary>
/// A stand-in for the Hugging Face hub on 127.0.0.1, answering the two routes a pull uses as the hub does: model info
/// with siblings (sizes, lfs.sha256), and /resolve/ that redirects LFS files (302 with X-Linked-Etag/X-Linked-Size)
/// to a storage route serving byte ranges. Faults are switched on per test.
/// </summary>
internal sealed class LocalHub : IAsyncDisposable
{
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";
    private readonly WebApplication _app;
    private readonly Dictionary<string, Dictionary<string, (byte[] Bytes, bool Lfs)>> _repos = new();

    public LocalHub()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/api/models/{org}/{repo}/revision/{rev}", (string org, string repo, HttpContext c) => Info($"{org}/{repo}", c));
        _app.MapGet("/{org}/{repo}/resolve/{rev}/{file}", (string org, string repo, string rev, string file, HttpContext c) =>
            Resolve($"{org}/{repo}", rev, file, c));
        _app.MapGet("/storage/{sha}", (string sha, HttpContext c) => Storage(sha, c));
    }

    public string Endpoint => _app.Urls.First();
    public string? RequiredToken { get; set; }
    public string? GatedRepository { get; set; }
    public List<string?> AuthorizationSeen { get; } = [];
    public List<string?> RangesSeen { get; } = [];

    /// <summary>Storage requests to cut after half the body (the connection is aborted), counted down per request.</summary>
    public int CutTransfers { get; set; }

    /// <summary>Serve these bytes instead of the published ones (a corrupted mirror).</summary>
    public byte[]? CorruptPayload { get; set; }

    /// <summary>A file the info lists but /resolve/ answers 404 for.</summary>
    public string? MissingFile { get; set; }

    public async Task StartAsync() => await _app.StartAsync();

    public void AddRepository(string repository, IReadOnlyDictionary<string, byte[]> files) =>
        _repos[repository] = files.ToDictionary(f => f.Key, f => (f.Value, f.Key.EndsWith(".safetensors") || f.Key.EndsWith(".bin")));

    private IResult Info(string repository, HttpContext c)
    {
        if (Refused(repository, c)) return Results.StatusCode(401);
        if (!_repos.TryGetValue(repository, out var files)) return Results.NotFound(new { error = "Repository not found" });
        var siblings = files.Select(f => f.Value.Lfs
            ? (object)new { rfilename = f.Key, size = f.Value.Bytes.Length, lfs = new { sha256 = Sha(f.Value.Bytes), size = f.Value.Bytes.Length, pointerSize = 134 } }
            : new { rfilename = f.Key, size = f.Value.Bytes.Length });
        return Results.Content(JsonSerializer.Serialize(new { id = repository, sha = Commit, siblings }), "application/json");
    }

    private IResult Resolve(string repository, string revision, string file, HttpContext c)
    {
        if (Refused(repository, c)) return Results.StatusCode(403);
        if (!_repos.TryGetValue(repository, out var files) || !files.TryGetValue(file, out var entry) || file == MissingFile)
            return Results.NotFound();
        c.Response.Headers["X-Repo-Commit"] = Commit;
        if (!entry.Lfs)
        {
            c.Response.Headers.ETag = "\"" + Convert.ToHexStringLower(SHA1.HashData(entry.Bytes)) + "\"";
            return Results.Bytes(entry.Bytes, "application/octet-stream", enableRangeProcessing: true);
        }
        var sha = Sha(entry.Bytes);
        c.Response.Headers["X-Linked-Etag"] = "\"" + sha + "\"";
        c.Response.Headers["X-Linked-Size"] = entry.Bytes.Length.ToString();
        return Results.Redirect("/storage/" + sha);
    }

    private async Task Storage(string sha, HttpContext c)
    {
        AuthorizationSeen.Add(c.Request.Headers.Authorization.FirstOrDefault());
        RangesSeen.Add(c.Request.Headers.Range.FirstOrDefault());
        var bytes = CorruptPayload ?? _repos.Values.SelectMany(f => f.Values).First(v => Sha(v.Bytes) == sha).Bytes;
        var from = c.Request.Headers.Range.FirstOrDefault() is { } range ? long.Parse(range["bytes=".Length..].TrimEnd('-')) : 0;
        c.Response.StatusCode = from > 0 ? 206 : 200;
        c.Response.ContentLength = bytes.Length - from;
        if (from > 0) c.Response.Headers.ContentRange = $"bytes {from}-{bytes.Length - 1}/{bytes.Length}";
        if (CutTransfers > 0)
        {
            CutTransfers--;
            await c.Response.Body.WriteAsync(bytes.AsMemory((int)from, (int)(bytes.Length - from) / 2));
            await c.Response.Body.FlushAsync();
            c.Abort();
            return;
        }
        await c.Response.Body.WriteAsync(bytes.AsMemory((int)from));
    }

    private bool Refused(string repository, HttpContext c) =>
        repository == GatedRepository && c.Request.Headers.Authorization.FirstOrDefault() != "Bearer " + RequiredToken;

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
