using LocalFineTune.Server.OpenAi.Common;
using Microsoft.Extensions.Options;

namespace LocalFineTune.Server.OpenAi.Inference;

/// <summary>
/// Admission for generations: a few run, a bounded number wait in line, everyone else gets 429 at once. Generation
/// saturates the CPU and holds a whole model in memory, so more at once would only make every request slower.
/// </summary>
public sealed class GenerationGate(IOptions<OpenAiOptions> options)
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxConcurrentGenerations));
    private int _waiting;

    /// <summary>Returns a lease to dispose when the generation has really stopped (not when the client left).</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellation)
    {
        if (_slots.Wait(0)) return new Lease(_slots);
        if (Interlocked.Increment(ref _waiting) > options.Value.MaxQueuedGenerations)
        {
            Interlocked.Decrement(ref _waiting);
            throw Busy("the wait queue is full");
        }
        try
        {
            if (await _slots.WaitAsync(TimeSpan.FromSeconds(options.Value.QueueTimeoutSeconds), cancellation)) return new Lease(_slots);
            throw Busy($"no generation slot freed up within {options.Value.QueueTimeoutSeconds:0} s");
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private static OpenAiException Busy(string why) =>
        new(StatusCodes.Status429TooManyRequests, $"This server is busy generating for other requests ({why}). Retry in a few seconds; " +
            "LocalFineTune:OpenAi:MaxConcurrentGenerations and MaxQueuedGenerations set the limits.", null, "server_busy", "rate_limit_error");

    private sealed class Lease(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
