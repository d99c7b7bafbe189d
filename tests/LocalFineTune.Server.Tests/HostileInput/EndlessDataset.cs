using System.Runtime.InteropServices;
using System.Text;

namespace LocalFineTune.Server.Tests.HostileInput;

/// <summary>
/// A JSONL "file" that never ends: a named pipe (FIFO) into which a background thread writes chat lines, each holding
/// a long word, until the reader closes it or the test ends. A validator that does not honour its job's token reads
/// it forever, so tests on it prove cancellation and timeouts without depending on how fast the machine is.
/// </summary>
internal sealed partial class EndlessDataset : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _writer;

    public EndlessDataset(string path, int wordLetters = 5_000)
    {
        Path = path;
        if (mkfifo(path, Convert.ToUInt32("600", 8)) != 0)
            throw new IOException($"mkfifo {path} failed (errno {Marshal.GetLastPInvokeError()}); these tests need Linux or macOS.");
        _writer = new Thread(() => Write(wordLetters)) { IsBackground = true, Name = "endless-dataset" };
        _writer.Start();
    }

    public string Path { get; }

    /// <summary>Set once a reader opened the pipe: the validation of a job on this dataset is under way.</summary>
    public TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when the reader closed the pipe (a write failed): the validator stopped reading.</summary>
    public TaskCompletionSource ReaderClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Write(int wordLetters)
    {
        var word = new string('z', wordLetters);
        try
        {
            // Opening a FIFO for writing blocks until a reader opens it.
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
            Opened.TrySetResult();
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                stream.Write(Encoding.UTF8.GetBytes(
                    $$"""{"messages":[{"role":"user","content":"q{{i}} {{word}}"},{"role":"assistant","content":"a{{i}}"}]}""" + "\n"));
                stream.Flush();
                Thread.Sleep(5); // about 1 MB/s: enough to keep a reader busy, little enough for its memory
            }
        }
        catch (IOException)
        {
            ReaderClosed.TrySetResult();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        if (!Opened.Task.IsCompleted)
        {
            // Unblock a writer still waiting in open(): open the read end once ourselves.
            try
            {
                using var unblock = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            }
            catch (IOException)
            {
            }
        }
        _writer.Join(TimeSpan.FromSeconds(5));
        File.Delete(Path);
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkfifo(string path, uint mode);
}
