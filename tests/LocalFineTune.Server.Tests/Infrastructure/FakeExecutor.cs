using LocalFineTune.Jobs;

namespace LocalFineTune.Server.Tests.Infrastructure;

/// <summary>An executor that trains nothing: succeeds at once, or (Block) waits for its token, reporting progress.</summary>
public sealed class FakeExecutor(bool block = false) : IJobExecutor
{
    public void Validate(JobExecution context) => context.Log("fake validation ok");

    public void Execute(JobExecution context)
    {
        context.ReportProgress(new JobProgress { Fraction = 0.5, Step = 1, TotalSteps = 2, Loss = 2.5 });
        context.LogMetrics("Step 1/2: training loss=2.5", "{\"step\":1,\"train_loss\":2.5}");
        if (block)
        {
            context.CancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(60));
            context.CancellationToken.ThrowIfCancellationRequested();
        }
        context.SetResult("{\"model_path\":\"models/tiny-finetuned-20250101_000000/\"}");
    }
}
