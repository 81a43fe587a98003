using Clickstream.Consumers.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// Retries a database operation with exponential backoff and jitter while it fails for the server's sake
/// (<see cref="Blame.Server"/>, <see cref="Blame.SetUp"/>), until it succeeds or the token is canceled. It never gives up
/// on its own: the events must not be dropped, and throwing would dead-letter the whole batch, so an outage or a broken
/// set-up stalls the partition (its offsets stay uncommitted) until it is over or the worker stops.
/// Failures that may be a row's (<see cref="Blame.Row"/>) are the caller's business and pass straight through.
/// </summary>
/// <remarks>Each retry is counted (<c>clickstream.store.retries</c>), and the batch counts as stalled while it waits to retry.</remarks>
internal sealed class TransientRetry(IOptions<EventStoreOptions> options, ILogger<TransientRetry> logger, StoreMetrics metrics)
{
    /// <param name="countsAsStall">False when the caller counts its batch as stalled already (<see cref="Stalled"/>).</param>
    public async Task<T> ExecuteAsync<T>(string operation, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken,
        bool countsAsStall = true)
    {
        StoreMetrics.Stall? stall = null;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await action(cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException && PostgresErrors.Classify(e) is var blame && blame != Blame.Row)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        // A stop came while the database failed: this would have been retried, so it is the stop's, not a
                        // failure (a host stopped while it waits for its database must stop cleanly, not crash).
                        throw new OperationCanceledException($"{operation} was canceled while the database was failing.", e, cancellationToken);
                    }
                    var delay = Delay(attempt);
                    if (blame == Blame.Server)
                    {
                        metrics.Retried(Blame.Server);
                        StoreLog.TransientFailure(logger, operation, attempt, delay.TotalMilliseconds, PostgresErrors.Describe(e));
                    }
                    else
                    {
                        SetUpFailure(e, operation, attempt, delay);
                    }
                    if (countsAsStall)
                    {
                        stall ??= metrics.Stalled();
                    }
                    await Task.Delay(delay, cancellationToken);
                }
            }
        }
        finally
        {
            stall?.Dispose();
        }
    }

    /// <summary>
    /// Logs (and counts as a retry) a failure every row meets because of the database's set-up: an operator must act, and
    /// until then the partition waits, keeping every event (dead-lettering them would need a replay afterwards).
    /// </summary>
    public void SetUpFailure(Exception exception, string operation, int attempt, TimeSpan delay)
    {
        metrics.Retried(Blame.SetUp);
        StoreLog.SetUpFailure(logger, exception, operation, attempt, delay.TotalMilliseconds, PostgresErrors.Describe(exception),
            PostgresErrors.Remedy(exception));
    }

    /// <summary>A batch waits to retry outside <see cref="ExecuteAsync{T}"/> (a row the set-up refuses): counted as stalled until disposed.</summary>
    public IDisposable Stalled() => metrics.Stalled();

    /// <summary>Exponential, capped, with "equal jitter" (half fixed, half random) so workers do not retry in step.</summary>
    internal TimeSpan Delay(int attempt)
    {
        var o = options.Value;
        var exponential = o.RetryInitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, o.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }
}
