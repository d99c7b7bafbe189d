namespace LocalFineTune.SafeTensors;

/// <summary>
/// Writes a file under a temporary name in the same folder, flushes it to disk, then renames it over
/// the real name. A crash or exception mid-write therefore never leaves a half-written file under the
/// real name: readers see the old file or the complete new one.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> writeContent)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        // Dot-prefixed and uniquely named, so a leftover from a killed process is hidden and never collides.
        string temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { /* best effort: the original exception matters more */ }
        catch (UnauthorizedAccessException) { }
    }
}
