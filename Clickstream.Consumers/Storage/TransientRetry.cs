using Clickstream.Consumers.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// Retries a database operation with exponential backoff and jitter until it succeeds or the token is canceled.
/// It never gives up on its own: the events must not be dropped, and throwing would dead-letter the whole batch,
/// so an outage stalls the partition (its offsets stay uncommitted) until the database is back or the worker stops.
/// Row rejections are the caller's business and pass straight through.
/// </summary>
internal sealed class TransientRetry(IOptions<EventStoreOptions> options, ILogger<TransientRetry> logger)
{
    public async Task<T> ExecuteAsync<T>(string operation, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action(cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && !PostgresErrors.IsRowRejection(e)
                && !PostgresErrors.IsUniqueViolation(e) && e is not OperationCanceledException)
            {
                var delay = Delay(attempt);
                if (PostgresErrors.IsTransient(e))
                {
                    StoreLog.TransientFailure(logger, operation, attempt, delay.TotalMilliseconds, PostgresErrors.Describe(e));
                }
                else
                {
                    // Not the data's fault and not known to pass (a missing table, a permission): an operator must act.
                    // Waiting keeps every event; dead-lettering the batch would need a replay afterwards.
                    StoreLog.UnexpectedFailure(logger, e, operation, attempt, delay.TotalMilliseconds, PostgresErrors.Describe(e));
                }
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    /// <summary>Exponential, capped, with "equal jitter" (half fixed, half random) so workers do not retry in step.</summary>
    internal TimeSpan Delay(int attempt)
    {
        var o = options.Value;
        var exponential = o.RetryInitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, o.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }
}
