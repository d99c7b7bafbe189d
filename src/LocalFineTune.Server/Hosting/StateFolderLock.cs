namespace LocalFineTune.Server.Hosting;

/// <summary>
/// One process per state folder: the embedded profile keeps Hangfire's queue in memory and treats every running job of
/// another owner as an orphan at start, so a second process on the same folder would steal and rerun live jobs.
/// The lock is an exclusive open of state/lft.lock; the kernel releases it when the process dies, even on kill -9.
/// </summary>
public sealed class StateFolderLock : IDisposable
{
    public const string FileName = "lft.lock";

    private readonly FileStream? _file;

    private StateFolderLock(FileStream? file) => _file = file;

    /// <summary>No lock: profiles where several processes share the state (postgres) or it is throw-away (memory).</summary>
    public static StateFolderLock None => new(null);

    public static StateFolderLock Acquire(string stateFolder)
    {
        Directory.CreateDirectory(stateFolder);
        var path = Path.Combine(Path.GetFullPath(stateFolder), FileName);
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            file.SetLength(0);
            var pid = System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n");
            file.Write(pid);
            file.Flush();
            return new StateFolderLock(file);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"Another lft process already uses the state folder '{stateFolder}' (lock {path} is held). " +
                "Stop it, or give this one its own folder with --state.", e);
        }
    }

    public void Dispose() => _file?.Dispose();
}
