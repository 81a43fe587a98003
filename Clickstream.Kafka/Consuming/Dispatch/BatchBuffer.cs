using Clickstream.Kafka.Consuming.Checkpoints;
using MassTransit;

namespace Clickstream.Kafka.Consuming.Dispatch;

/// <summary>
/// Collects a topic endpoint's messages into batches for its batch consumer, by the consumer's
/// <see cref="BatchOptions"/>: a batch is complete at <see cref="BatchOptions.MessageLimit"/> messages, or when
/// <see cref="BatchOptions.TimeLimit"/> has passed since its first (or, with <see cref="BatchTimeLimitStart.FromLast"/>,
/// its latest) message, or when the endpoint forces it out (revocation, stop, the in-flight limit). Used by the poll
/// thread only; a complete batch is handed to <c>complete</c>, in receive order.
/// </summary>
internal sealed class BatchBuffer(BatchOptions options, IBatchContextFactory contexts, Action<CollectedBatch> complete, TimeProvider clock)
{
    private readonly List<KafkaMessageContext> _messages = new(options.MessageLimit);
    private readonly List<PartitionCheckpoint.Entry> _entries = new(options.MessageLimit);
    private DateTime _firstReceived;
    private long _dueAt;

    public BatchOptions Options => options;

    public int Count => _messages.Count;

    public void Add(KafkaMessageContext message, PartitionCheckpoint.Entry entry)
    {
        var now = clock.GetTimestamp();
        if (_messages.Count == 0)
        {
            _firstReceived = clock.GetUtcNow().UtcDateTime;
            _dueAt = now + ToTicks(options.TimeLimit);
        }
        else if (options.TimeLimitStart == BatchTimeLimitStart.FromLast)
        {
            _dueAt = now + ToTicks(options.TimeLimit);
        }
        _messages.Add(message);
        _entries.Add(entry);
        if (_messages.Count >= options.MessageLimit)
        {
            Complete(BatchCompletionMode.Size);
        }
    }

    /// <summary>How long the poll thread may wait for the next message: at most <paramref name="longest"/>, less when a batch falls due sooner.</summary>
    public TimeSpan NextWait(TimeSpan longest)
    {
        if (_messages.Count == 0)
        {
            return longest;
        }
        var left = clock.GetElapsedTime(clock.GetTimestamp(), _dueAt);
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left < longest ? left : longest;
    }

    /// <summary>Completes the batch when its time limit has passed.</summary>
    public void CompleteIfDue()
    {
        if (_messages.Count > 0 && clock.GetTimestamp() >= _dueAt)
        {
            Complete(BatchCompletionMode.Time);
        }
    }

    /// <summary>Completes the batch now, however small (nothing happens when it is empty).</summary>
    public void Complete(BatchCompletionMode mode)
    {
        if (_messages.Count == 0)
        {
            return;
        }
        var batch = new CollectedBatch(contexts, [.. _messages], [.. _entries], _firstReceived, clock.GetUtcNow().UtcDateTime, mode);
        _messages.Clear();
        _entries.Clear();
        complete(batch);
    }

    private long ToTicks(TimeSpan time) => (long)(time.TotalSeconds * clock.TimestampFrequency);
}
