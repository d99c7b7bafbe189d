using LocalFineTune.Jobs;

namespace LocalFineTune.Server.Hosting;

/// <summary>
/// Starts the job worker with the host (which first requeues jobs a dead process left running, so they resume from
/// their checkpoints) and stops it on shutdown (running jobs go back to the queue without spending an attempt).
/// </summary>
public sealed class JobWorkerHostedService(JobWorker worker) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => worker.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => worker.StopAsync(cancellationToken);
}
