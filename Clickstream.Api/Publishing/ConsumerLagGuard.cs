using Clickstream.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Publishing;

/// <summary>
/// Keeps the API from accepting events faster than the consumers in this process fetch them, when
/// <see cref="PublishOptions.MaxConsumerLagBytes"/> is set (the standalone run). Above the bound a request first
/// waits for the consumers to catch up (at most <see cref="PublishOptions.Timeout"/>): clients slow down to what the
/// pipeline stores instead of being refused for a whole Retry-After second at every burst. Waiting requests go through
/// in the order they came. Only when the consumers
/// stay behind (storage down or stalled) is the request refused with 503 and <c>Retry-After: 1</c>, instead of being
/// acknowledged and then dropped by the embedded broker. Warns at most every <see cref="WarningInterval"/>.
/// </summary>
internal sealed partial class ConsumerLagGuard(IOptions<PublishOptions> options, TimeProvider time, ILogger<ConsumerLagGuard> logger)
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _warnedSinceAccepting;
    private long _refusedSinceWarning;
    private long _lastWarning = long.MinValue;

    public bool IsOn => options.Value.MaxConsumerLagBytes is not null;

    /// <summary>
    /// Completes with null once the consumers are within the bound (at once, usually), or with the reason to give the
    /// client when they stayed behind for <paramref name="maxWait"/>.
    /// </summary>
    public async Task<string?> WaitForRoomAsync(Func<long> unfetchedBytes, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (options.Value.MaxConsumerLagBytes is not { } limit)
        {
            return null;
        }
        var behind = unfetchedBytes();
        // Requests already waiting go first: a newcomer joins the line instead of taking the room they wait for.
        if (behind > limit || _turn.CurrentCount == 0)
        {
            behind = await WaitInTurnAsync(unfetchedBytes, limit, maxWait, cancellationToken);
        }
        if (behind <= limit)
        {
            if (Volatile.Read(ref _warnedSinceAccepting) == 1 && Interlocked.Exchange(ref _warnedSinceAccepting, 0) == 1)
            {
                LogAccepting(behind);
            }
            return null;
        }

        Interlocked.Increment(ref _refusedSinceWarning);
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastWarning);
        if ((last == long.MinValue || time.GetElapsedTime(last, now) >= WarningInterval)
            && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            Volatile.Write(ref _warnedSinceAccepting, 1);
            LogRefusing(behind, limit, maxWait, Interlocked.Exchange(ref _refusedSinceWarning, 0));
        }
        return $"The consumers are {behind / 1024} KiB behind on a partition, more than the {limit / 1024} KiB this run's broker may hold safely, "
            + $"and did not catch up within {maxWait.TotalSeconds:0.###} s.";
    }

    // Waiting requests take turns, first come first served: each polling on its own, whoever polled first after the
    // consumers caught up went through, and an unlucky request could wait out the whole bound while others passed.
    private async Task<long> WaitInTurnAsync(Func<long> unfetchedBytes, long limit, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        if (!await _turn.WaitAsync(maxWait, cancellationToken))
        {
            return unfetchedBytes();
        }
        try
        {
            var behind = unfetchedBytes();
            while (behind > limit && time.GetElapsedTime(started) < maxWait)
            {
                await Task.Delay(PollInterval, time, cancellationToken);
                behind = unfetchedBytes();
            }
            return behind;
        }
        finally
        {
            _turn.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The consumers are {UnfetchedBytes} bytes behind on a partition (limit {Limit}) and did not catch up within {MaxWait}: "
            + "refusing new events with 503 ({Refused} requests refused since the last warning)")]
    private partial void LogRefusing(long unfetchedBytes, long limit, TimeSpan maxWait, long refused);

    [LoggerMessage(Level = LogLevel.Information, Message = "The consumers caught up ({UnfetchedBytes} bytes behind): accepting events again")]
    private partial void LogAccepting(long unfetchedBytes);
}
