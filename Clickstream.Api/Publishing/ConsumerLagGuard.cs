using Clickstream.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Publishing;

/// <summary>
/// Keeps the API from accepting events faster than the consumers in this process fetch them, when
/// <see cref="PublishOptions.MaxConsumerLagBytes"/> is set (the standalone run): above the bound a request is
/// refused with 503 and <c>Retry-After: 1</c> instead of being acknowledged and then dropped by the embedded broker.
/// Logs when refusing starts and when it ends, not once per request.
/// </summary>
internal sealed partial class ConsumerLagGuard(IOptions<PublishOptions> options, ILogger<ConsumerLagGuard> logger)
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private int _refusing;

    public bool IsOn => options.Value.MaxConsumerLagBytes is not null;

    /// <summary>Null when events may be published; otherwise the reason to give the client.</summary>
    public string? Refusal(long unfetchedBytes)
    {
        var limit = options.Value.MaxConsumerLagBytes;
        var behind = limit is { } max && unfetchedBytes > max;
        if (Interlocked.Exchange(ref _refusing, behind ? 1 : 0) != (behind ? 1 : 0))
        {
            if (behind)
            {
                LogRefusing(unfetchedBytes, limit!.Value);
            }
            else
            {
                LogAccepting(unfetchedBytes);
            }
        }
        return behind
            ? $"The consumers are {unfetchedBytes / 1024} KiB behind on a partition, more than the {limit!.Value / 1024} KiB this run's broker may hold safely."
            : null;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The consumers are {UnfetchedBytes} bytes behind on a partition (limit {Limit}): refusing new events with 503 until they catch up")]
    private partial void LogRefusing(long unfetchedBytes, long limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "The consumers caught up ({UnfetchedBytes} bytes behind): accepting events again")]
    private partial void LogAccepting(long unfetchedBytes);
}
