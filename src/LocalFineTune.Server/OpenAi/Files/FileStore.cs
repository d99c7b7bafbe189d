using System.Security.Cryptography;
using System.Text.Json;
using LocalFineTune.Server.Configuration;
using LocalFineTune.Server.OpenAi.Common;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server.OpenAi.Files;

/// <summary>
/// Uploaded files under &lt;state&gt;/openai/files/: the content as &lt;id&gt;.jsonl|.csv (the dataset reader picks the format
/// by extension) and its file object as &lt;id&gt;.json. Plain files rather than the job database: they are large,
/// and a user can inspect or back them up by hand.
/// </summary>
public sealed class FileStore(IOptions<ServerOptions> options)
{
    public const string IdPrefix = "file-";
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public string Folder => Path.Combine(options.Value.StateFolder, "openai", "files");

    public static string NewId() => IdPrefix + RandomNumberGenerator.GetString(Base62, 24);

    public static bool LooksLikeId(string? id) =>
        id is { Length: > 5 and <= 64 } && id.StartsWith(IdPrefix, StringComparison.Ordinal) && id.AsSpan(IdPrefix.Length).IndexOfAnyExcept(Base62) < 0;

    /// <summary>Moves a fully written and checked temp file into the store and records its object.</summary>
    public FileObject Add(string id, string tempPath, string filename, string purpose, string extension)
    {
        Directory.CreateDirectory(Folder);
        var content = ContentPath(id, extension);
        File.Move(tempPath, content);
        var file = new FileObject(id, new FileInfo(content).Length, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), filename, purpose);
        File.WriteAllText(MetaPath(id), JsonSerializer.Serialize(new StoredFile(file, Path.GetFileName(content)), OpenAiJson.Options));
        return file;
    }

    public string NewTempPath()
    {
        Directory.CreateDirectory(Folder);
        return Path.Combine(Folder, "." + Guid.NewGuid().ToString("N") + ".upload");
    }

    public FileObject? Find(string id) => Read(id)?.File;

    public FileObject Get(string id, string param = "file_id") => Find(id)
        ?? throw OpenAiException.NotFound($"No such File object: {id}. GET /v1/files lists the uploaded files.", param, "file_not_found");

    /// <summary>The content's path on disk; 404 when the id is unknown.</summary>
    public string ContentOf(string id, string param = "file_id")
    {
        var stored = Read(id) ?? throw OpenAiException.NotFound($"No such File object: {id}. Upload it first with POST /v1/files.", param, "file_not_found");
        return Path.Combine(Folder, stored.ContentFile);
    }

    /// <summary>The content's path on disk, or null when the id names no upload: for requests that name files by id
    /// (a job's training_file, POST /api/finetune/validate), each answering an unknown id in its own API's shape.</summary>
    public string? FindContent(string id) => Read(id) is { } stored ? Path.Combine(Folder, stored.ContentFile) : null;

    public IReadOnlyList<FileObject> List() =>
        !Directory.Exists(Folder) ? []
        : Directory.EnumerateFiles(Folder, IdPrefix + "*.json").Select(p => Read(Path.GetFileNameWithoutExtension(p))?.File)
            .OfType<FileObject>().ToList();

    public bool Delete(string id)
    {
        var stored = Read(id);
        if (stored is null) return false;
        File.Delete(Path.Combine(Folder, stored.ContentFile));
        File.Delete(MetaPath(id));
        return true;
    }

    private StoredFile? Read(string id)
    {
        if (!LooksLikeId(id)) return null;
        try
        {
            return File.Exists(MetaPath(id)) ? JsonSerializer.Deserialize<StoredFile>(File.ReadAllText(MetaPath(id)), OpenAiJson.Options) : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            // A file deleted between the check and the read, or a hand-edited record: treat it as absent.
            return null;
        }
    }

    private string MetaPath(string id) => Path.Combine(Folder, id + ".json");

    private string ContentPath(string id, string extension) => Path.Combine(Folder, id + extension);

    private sealed record StoredFile(FileObject File, string ContentFile);
}
