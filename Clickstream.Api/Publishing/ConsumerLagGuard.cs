using Clickstream.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Publishing;

/// <summary>
/// Keeps the API from accepting events faster than the consumers in this process fetch them, when
/// <see cref="PublishOptions.MaxConsumerLagBytes"/> is set (the standalone run): above the bound a request is
/// refused with 503 and <c>Retry-After: 1</c> instead of being acknowledged and then dropped by the embedded broker.
/// Once refusing, it accepts again below half the bound, so it does not flap at the bound; under sustained overload
/// it warns at most every <see cref="WarningInterval"/>, with the number of refused requests.
/// </summary>
internal sealed partial class ConsumerLagGuard(IOptions<PublishOptions> options, TimeProvider time, ILogger<ConsumerLagGuard> logger)
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(10);

    private int _refusing;
    private int _warnedSinceAccepting;
    private long _refusedSinceWarning;
    private long _lastWarning = long.MinValue;

    public bool IsOn => options.Value.MaxConsumerLagBytes is not null;

    /// <summary>Null when events may be published; otherwise the reason to give the client.</summary>
    public string? Refusal(long unfetchedBytes)
    {
        if (options.Value.MaxConsumerLagBytes is not { } limit)
        {
            return null;
        }
        var refusing = Volatile.Read(ref _refusing) == 1;
        var behind = refusing ? unfetchedBytes > limit / 2 : unfetchedBytes > limit;
        if (!behind)
        {
            if (refusing)
            {
                Volatile.Write(ref _refusing, 0);
                if (Interlocked.Exchange(ref _warnedSinceAccepting, 0) == 1)
                {
                    LogAccepting(unfetchedBytes);
                }
            }
            return null;
        }

        Volatile.Write(ref _refusing, 1);
        Interlocked.Increment(ref _refusedSinceWarning);
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastWarning);
        if ((last == long.MinValue || time.GetElapsedTime(last, now) >= WarningInterval)
            && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            Volatile.Write(ref _warnedSinceAccepting, 1);
            LogRefusing(unfetchedBytes, limit, Interlocked.Exchange(ref _refusedSinceWarning, 0));
        }
        return $"The consumers are {unfetchedBytes / 1024} KiB behind on a partition, more than the {limit / 1024} KiB this run's broker may hold safely.";
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The consumers are {UnfetchedBytes} bytes behind on a partition (limit {Limit}): refusing new events with 503 until they catch up ({Refused} requests refused since the last warning)")]
    private partial void LogRefusing(long unfetchedBytes, long limit, long refused);

    [LoggerMessage(Level = LogLevel.Information, Message = "The consumers caught up ({UnfetchedBytes} bytes behind): accepting events again")]
    private partial void LogAccepting(long unfetchedBytes);
}
