using System.Security.Cryptography;

namespace LocalFineTune.Hub;

/// <summary>Progress of one pull: the file being downloaded and the bytes of the whole pull so far.</summary>
public sealed record PullProgress(string File, long FileBytes, long? FileTotal, long PullBytes, long? PullTotal);

/// <summary>What a finished pull produced.</summary>
public sealed record PullResult(string Folder, string Repository, string? Commit, IReadOnlyList<RepositoryFile> Files, long Bytes);

/// <summary>
/// Downloads a base into models/base/&lt;name&gt;/: only safetensors and config/tokenizer files, each checked against the
/// hub's published size and (for LFS files) sha256. Files land in a hidden models/base/.&lt;name&gt;.pulling/ folder that
/// is renamed into place at the end, so a folder under models/base/ is always complete; a pull that was cut off
/// resumes there with HTTP ranges.
/// </summary>
public sealed class ModelPuller(HubClient hub)
{
    /// <summary>Attempts per file when the connection breaks mid-file (each resumes where the last stopped).</summary>
    public int AttemptsPerFile { get; init; } = 5;

    public async Task<PullResult> PullAsync(string nameOrRepository, string baseRoot, string revision = "main",
        IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var (repository, folderName) = BaseModelCatalog.Target(nameOrRepository);
        var target = Path.GetFullPath(Path.Combine(baseRoot, folderName));
        if (Directory.Exists(target))
            throw new HubException($"{target} already exists. Delete it (or move it away) to pull {repository} again.");
        var (commit, listed) = await hub.GetFilesAsync(repository, revision, cancellationToken);
        var files = RepositoryFiles.Select(repository, listed);
        var staging = StagingFolder(baseRoot, folderName);
        Directory.CreateDirectory(staging);
        // Pin the commit the listing came from, so every file belongs to one revision even if the branch moves meanwhile.
        var pinned = commit ?? revision;
        long total = files.Sum(f => f.Size ?? 0), done = 0;
        foreach (var file in files)
        {
            var bytes = await DownloadFileAsync(repository, pinned, file, staging, b => progress?.Report(
                new PullProgress(file.Name, b, file.Size, done + b, total > 0 ? total : null)), cancellationToken);
            done += bytes;
        }
        Directory.Move(staging, target);
        return new PullResult(target, repository, commit, files, done);
    }

    /// <summary>
    /// Only the small files (config.json, tokenizer and generation files) into the staging folder, so a service can check
    /// a job against the base's config before the weights arrive. <see cref="PullAsync"/> later finds them there,
    /// already verified, and fetches only the weights. Returns the staging folder.
    /// </summary>
    public async Task<string> PullSideFilesAsync(string nameOrRepository, string baseRoot, string revision = "main",
        CancellationToken cancellationToken = default)
    {
        var (repository, folderName) = BaseModelCatalog.Target(nameOrRepository);
        var (commit, listed) = await hub.GetFilesAsync(repository, revision, cancellationToken);
        var staging = StagingFolder(baseRoot, folderName);
        Directory.CreateDirectory(staging);
        foreach (var file in RepositoryFiles.Select(repository, listed).Where(f => RepositoryFiles.SideFiles.Contains(f.Name)))
            await DownloadFileAsync(repository, commit ?? revision, file, staging, _ => { }, cancellationToken);
        return staging;
    }

    /// <summary>Where a pull of <paramref name="folderName"/> collects its files before the folder is renamed into place.</summary>
    public static string StagingFolder(string baseRoot, string folderName) => Path.GetFullPath(Path.Combine(baseRoot, $".{folderName}.pulling"));

    private async Task<long> DownloadFileAsync(string repository, string revision, RepositoryFile file, string staging,
        Action<long> report, CancellationToken cancellationToken)
    {
        var final = Path.Combine(staging, file.Name);
        if (File.Exists(final)) return new FileInfo(final).Length; // verified by an earlier, interrupted pull
        var partial = final + ".incomplete";
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var expected = await FetchIntoAsync(repository, revision, file, partial, report, cancellationToken);
                Verify(file, partial, expected);
                File.Move(partial, final);
                return new FileInfo(final).Length;
            }
            catch (Exception e) when (IsBrokenTransfer(e) && attempt < AttemptsPerFile && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
            catch (Exception e) when (IsBrokenTransfer(e))
            {
                throw new HubException($"{file.Name} of {repository}: the connection broke {attempt} times ({e.Message}). Run the same " +
                    "`lft pull` again: it resumes where it stopped.", inner: e);
            }
        }
    }

    /// <summary>Appends the missing bytes to <paramref name="partial"/>; returns the size and sha256 the hub announced.</summary>
    private async Task<(long? Size, string? Sha256)> FetchIntoAsync(string repository, string revision, RepositoryFile file, string partial,
        Action<long> report, CancellationToken cancellationToken)
    {
        var have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (file.Size is { } known && have == known) return (known, file.Sha256); // complete, but not yet checked
        var answer = await hub.GetFileAsync(repository, revision, file.Name, have, cancellationToken);
        using var response = answer.Response;
        var resumed = have > 0 && response.StatusCode == System.Net.HttpStatusCode.PartialContent;
        if (!resumed) have = 0; // the server sent the whole file: start over
        var expectedSize = file.Size ?? answer.LinkedSize ?? (response.Content.Headers.ContentLength + have);
        await using (var output = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        await using (var input = await response.Content.ReadAsStreamAsync(cancellationToken))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                have += read;
                if (expectedSize is { } cap && have > cap)
                    throw new HubException($"{file.Name} of {repository} is larger than the {cap} bytes the hub announced; refusing it.");
                report(have);
            }
        }
        if (expectedSize is { } size && have < size)
            throw new IOException($"the transfer ended after {have} of {size} bytes");
        return (expectedSize, file.Sha256 ?? answer.LinkedSha256);
    }

    private static void Verify(RepositoryFile file, string path, (long? Size, string? Sha256) expected)
    {
        var length = new FileInfo(path).Length;
        if (expected.Size is { } size && length != size)
            Reject(path, $"{file.Name} has {length} bytes, the hub published {size}");
        if (expected.Sha256 is not { Length: 64 } sha) return; // small git files have a git sha1 ETag, checked by size
        using var stream = File.OpenRead(path);
        var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (!string.Equals(actual, sha, StringComparison.OrdinalIgnoreCase))
            Reject(path, $"{file.Name} has sha256 {actual}, the hub published {sha.ToLowerInvariant()}");
    }

    private static void Reject(string path, string why)
    {
        File.Delete(path);
        throw new HubException($"Download corrupted: {why}. The file was deleted; run `lft pull` again.");
    }

    private static bool IsBrokenTransfer(Exception e) =>
        e is IOException or HttpRequestException || (e is HubException { InnerException: HttpRequestException });
}
