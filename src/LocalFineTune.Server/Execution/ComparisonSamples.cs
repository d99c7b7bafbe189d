using System.Collections.Concurrent;
using System.Text.Json;
using LocalFineTune.Torch;
using LocalFineTune.Training.Comparison;
using Microsoft.Extensions.Logging;

namespace LocalFineTune.Server.Execution;

/// <summary>Where a comparison's held-out answers stand, as GET /api/finetune/compare/{id} reports them.</summary>
public static class SamplesStatus
{
    public const string None = "none";           // samples: 0, or preference data (no single answer to show)
    public const string Waiting = "waiting";     // some job is not final yet
    public const string Generating = "generating";
    public const string Ready = "ready";
    public const string Failed = "failed";
}

/// <summary>
/// The held-out prompts answered by each fine-tune of a comparison, generated once in the background after every job
/// is final and kept in state/comparisons/&lt;id&gt;.samples.json. Loading each fine-tune takes seconds for small bases
/// and minutes for 7B ones, so no request waits for it: the GET that first finds the jobs final starts the work and
/// answers "generating". A failure is kept for the process's life (a restart tries again), so polling cannot loop on it.
/// </summary>
public sealed class ComparisonSamples(ILogger<ComparisonSamples> logger)
{
    private readonly ConcurrentDictionary<string, Task> _running = new();
    private readonly ConcurrentDictionary<string, string> _failures = new();

    public sealed record State(string Status, IReadOnlyList<SampleAnswers> Samples, string? Error = null);

    /// <summary>The cached answers, or the state of their generation (started here when nothing has been tried yet).</summary>
    public State Get(string cacheFile, Func<IReadOnlyList<HeldOutPrompt>> prompts, IReadOnlyList<ComparedModel> rows)
    {
        if (File.Exists(cacheFile)) return new State(SamplesStatus.Ready, Read(cacheFile));
        var id = Path.GetFileName(cacheFile);
        if (_failures.TryGetValue(id, out var error)) return new State(SamplesStatus.Failed, [], error);
        var task = _running.GetOrAdd(id, _ => Task.Factory.StartNew(() => Generate(id, cacheFile, prompts, rows),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        // The task may have finished between the first check and now.
        return task.IsCompleted && File.Exists(cacheFile) ? new State(SamplesStatus.Ready, Read(cacheFile)) : new State(SamplesStatus.Generating, []);
    }

    /// <summary>Waits for a generation in progress (tests, shutdown); true when none is running for the file.</summary>
    public bool WaitFor(string cacheFile, TimeSpan timeout) =>
        !_running.TryGetValue(Path.GetFileName(cacheFile), out var task) || task.Wait(timeout);

    private void Generate(string id, string cacheFile, Func<IReadOnlyList<HeldOutPrompt>> prompts, IReadOnlyList<ComparedModel> rows)
    {
        try
        {
            if (File.Exists(cacheFile)) return; // a generation that ended just before this one was started
            var fineTunes = rows.Where(r => r.Status == "succeeded" && r.Folder is not null).Select(r => (r.Model, r.Folder!));
            var samples = HeldOutSamples.AnswerAll(prompts(), fineTunes, Device.Cpu);
            ComparisonService.WriteAtomically(cacheFile, JsonSerializer.Serialize(samples, TrainingJobSpec.Json));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Answering the held-out prompts for {Comparison} failed", id);
            _failures[id] = $"Answering the held-out prompts failed: {e.Message}. Restart the service to try again.";
        }
        finally
        {
            _running.TryRemove(id, out _);
        }
    }

    private static List<SampleAnswers> Read(string cacheFile) =>
        JsonSerializer.Deserialize<List<SampleAnswers>>(File.ReadAllText(cacheFile), TrainingJobSpec.Json)!;
}
