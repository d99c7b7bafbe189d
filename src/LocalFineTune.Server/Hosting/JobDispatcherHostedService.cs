using LocalFineTune.Jobs;

namespace LocalFineTune.Server.Hosting;

/// <summary>
/// Starts the Hangfire dispatcher with the host (which first requeues jobs a dead process left running, so they resume
/// from their checkpoints, and hands every waiting job to Hangfire) and stops it on shutdown (running jobs go back to
/// the queue without spending an attempt).
/// </summary>
public sealed class JobDispatcherHostedService(JobDispatcher dispatcher) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => dispatcher.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => dispatcher.StopAsync(cancellationToken);
}
