using System.Globalization;
using System.Text.Json;
using LocalFineTune.Hub;
using LocalFineTune.Jobs;

namespace LocalFineTune.Server.Execution;

/// <summary>
/// A base download's progress as the job shows it: the progress object carries the bytes (step "downloading" in its
/// metrics) on every report, and an event is written at each further tenth of the total, so the event log stays short.
/// </summary>
public sealed class PullProgressReporter(JobExecution job) : IProgress<PullProgress>
{
    private int _lastTenth = -1;
    private long _bytes;

    /// <summary>", 1.2 GB" after the download, empty before any byte arrived.</summary>
    public string Summary => _bytes > 0 ? $", {Megabytes(_bytes)} MB" : "";

    public void Report(PullProgress value)
    {
        _bytes = value.PullBytes;
        job.ReportProgress(new JobProgress
        {
            Fraction = 0,
            Metrics = new Dictionary<string, double>
            {
                ["downloading"] = 1, ["download_bytes"] = value.PullBytes, ["download_total_bytes"] = value.PullTotal ?? 0,
            },
        });
        if (value.PullTotal is not { } total || total <= 0) return;
        var tenth = (int)Math.Min(10, value.PullBytes * 10 / total);
        if (tenth <= _lastTenth) return;
        _lastTenth = tenth;
        job.LogMetrics($"Downloading: {tenth * 10}% ({Megabytes(value.PullBytes)} of {Megabytes(total)} MB, {value.File})",
            JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["step"] = "downloading", ["file"] = value.File, ["bytes"] = value.PullBytes, ["total_bytes"] = total,
            }));
    }

    private static string Megabytes(long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture);
}
