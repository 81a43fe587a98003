using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Clickstream.Kafka.Consuming;

namespace Clickstream.Kafka.Telemetry;

/// <summary>
/// One topic endpoint's instruments, with their tags built once (per partition for the consumed count, which is kept here
/// and observed): recording allocates nothing, and costs one check when no listener is attached. Its gauges are observed from
/// <see cref="Observe"/> until <see cref="Dispose"/>.
/// </summary>
internal sealed class EndpointMetrics : IDisposable
{
    private readonly ConsumerMetrics _instruments;
    private readonly string _group;
    private readonly KeyValuePair<string, object?>[] _commitOk;
    private readonly KeyValuePair<string, object?>[] _commitFailed;
    private readonly ConcurrentDictionary<string, KeyValuePair<string, object?>[]> _deadLetterTags = new(StringComparer.Ordinal);
    private readonly Lock _grow = new();
    private PartitionTags?[] _partitions = [];

    public EndpointMetrics(ConsumerMetrics instruments, string topic, string group, TopicSendMetrics deadLetterSends)
    {
        _instruments = instruments;
        _group = group;
        Topic = topic;
        DeadLetterSends = deadLetterSends;
        TopicTags = [new(MessagingTags.Destination, topic)];
        _commitOk = [.. TopicTags, new(MessagingTags.Outcome, "ok")];
        _commitFailed = [.. TopicTags, new(MessagingTags.Outcome, "failed")];
    }

    public string Topic { get; }

    /// <summary>The produce instruments of the endpoint's dead-letter topic.</summary>
    public TopicSendMetrics DeadLetterSends { get; }

    internal KeyValuePair<string, object?>[] TopicTags { get; }

    internal EndpointGauges? Gauges { get; private set; }

    /// <summary>A message of <paramref name="partition"/> was received and handed to the dispatch (poll thread only).</summary>
    public void Consumed(int partition)
    {
        var tags = Partition(partition);
        // One writer: a volatile write is enough for the observer to read a whole, recent count.
        Volatile.Write(ref tags.ConsumedCount, tags.ConsumedCount + 1);
    }

    /// <summary>An offset commit of the endpoint succeeded or failed.</summary>
    public void Committed(bool succeeded) => _instruments.Commits.Add(1, succeeded ? _commitOk : _commitFailed);

    /// <summary>A message is on the dead-letter topic.</summary>
    public void DeadLettered(DeadLetterReason reason)
    {
        if (!_instruments.DeadLetters.Enabled)
        {
            return;
        }
        var tags = _deadLetterTags.GetOrAdd(reason.Name, static (name, topicTags) => [.. topicTags, new(MessagingTags.Reason, name)], TopicTags);
        _instruments.DeadLetters.Add(1, tags);
    }

    /// <summary>From now on the gauges report the running endpoint's state.</summary>
    public void Observe(EndpointGauges gauges)
    {
        Gauges = gauges;
        _instruments.StartObserving(this);
    }

    public void Dispose() => _instruments.StopObserving(this);

    internal void MeasureLag(List<Measurement<long>> into) => Gauges?.Partitions.MeasureLag(this, into);

    /// <summary>Adds this endpoint's consumed count of every partition it has read to <paramref name="totals"/>.</summary>
    internal void MeasureConsumed(Dictionary<(string Topic, string Group, int Partition), (long Total, KeyValuePair<string, object?>[] Tags)> totals)
    {
        var known = Volatile.Read(ref _partitions);
        for (var partition = 0; partition < known.Length; partition++)
        {
            if (known[partition] is not { } tags)
            {
                continue;
            }
            var count = Volatile.Read(ref tags.ConsumedCount);
            if (count == 0)
            {
                continue;
            }
            var key = (Topic, _group, partition);
            totals[key] = totals.TryGetValue(key, out var total) ? (total.Total + count, total.Tags) : (count, tags.Consumed);
        }
    }

    /// <summary>The tags of a lag measurement of <paramref name="partition"/>.</summary>
    internal KeyValuePair<string, object?>[] LagTags(int partition, bool fromCommitted) =>
        fromCommitted ? Partition(partition).LagFromCommitted : Partition(partition).LagFromPosition;

    private PartitionTags Partition(int partition)
    {
        var known = Volatile.Read(ref _partitions);
        if ((uint)partition < (uint)known.Length && known[partition] is { } tags)
        {
            return tags;
        }
        lock (_grow)
        {
            var grown = _partitions;
            if (partition >= grown.Length)
            {
                Array.Resize(ref grown, partition + 1);
            }
            else
            {
                grown = (PartitionTags?[])grown.Clone();
            }
            var created = grown[partition] ??= new PartitionTags(Topic, _group, partition);
            Volatile.Write(ref _partitions, grown);
            return created;
        }
    }

    /// <summary>The tag sets of one partition.</summary>
    private sealed class PartitionTags
    {
        public PartitionTags(string topic, string group, int partition)
        {
            KeyValuePair<string, object?>[] partitionTags =
            [
                new(MessagingTags.Destination, topic),
                new(MessagingTags.ConsumerGroup, group),
                new(MessagingTags.Partition, partition.ToString(CultureInfo.InvariantCulture)),
            ];
            Consumed = [new(MessagingTags.System, MessagingTags.Kafka), .. partitionTags];
            LagFromCommitted = [.. partitionTags, new(MessagingTags.LagFrom, "committed")];
            LagFromPosition = [.. partitionTags, new(MessagingTags.LagFrom, "position")];
        }

        public KeyValuePair<string, object?>[] Consumed { get; }

        /// <summary>Messages of this partition handed to the dispatch: written by the poll thread, read by observers.</summary>
        public long ConsumedCount;

        public KeyValuePair<string, object?>[] LagFromCommitted { get; }

        public KeyValuePair<string, object?>[] LagFromPosition { get; }
    }
}
