using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Clickstream.Kafka.Backlog;

/// <summary>
/// Bytes this process's producers wrote to a topic (or are still writing) that its topic endpoints have not fetched
/// yet, per cluster and partition. It is the consumer lag as seen from inside one process, exact only where that
/// process is the topic's only producer and consumer: the standalone run, whose embedded broker keeps about 5 MiB
/// per partition and silently drops the oldest data beyond it. Another process's messages count as fetched and not
/// produced, and a rebalance re-fetches; both make the figure lower than the truth, never higher.
/// </summary>
/// <remarks>One registry per process (not per bus), so an API and a worker hosted side by side share it.</remarks>
internal static class LocalBacklog
{
    private static readonly ConcurrentDictionary<(string Cluster, string Topic), TopicCounters> Topics = new();

    public static TopicCounters For(string cluster, string topic) => Topics.GetOrAdd((cluster, topic), static _ => new TopicCounters());

    /// <summary>The bytes a message takes on the broker, near enough: key, value, headers, and a record's framing.</summary>
    public static long SizeOf(int keyBytes, int valueBytes, Headers? headers)
    {
        const int RecordOverhead = 70;
        long size = RecordOverhead + keyBytes + valueBytes;
        if (headers is not null)
        {
            foreach (var header in headers)
            {
                size += header.Key.Length + (header.GetValueBytes()?.Length ?? 0);
            }
        }
        return size;
    }

    internal sealed class TopicCounters
    {
        private readonly ConcurrentDictionary<int, PartitionCounters> _partitions = new();
        private long _producing;

        /// <summary>A message handed to the producer: its partition is known only once the broker acknowledged it.</summary>
        public void Producing(long bytes) => Interlocked.Add(ref _producing, bytes);

        public void Produced(int partition, long bytes)
        {
            Interlocked.Add(ref _partitions.GetOrAdd(partition, static _ => new PartitionCounters()).Produced, bytes);
            Interlocked.Add(ref _producing, -bytes);
        }

        public void NotProduced(long bytes) => Interlocked.Add(ref _producing, -bytes);

        public void Fetched(int partition, long bytes) =>
            Interlocked.Add(ref _partitions.GetOrAdd(partition, static _ => new PartitionCounters()).Fetched, bytes);

        /// <summary>
        /// The most any one partition may hold unfetched: the largest partition's backlog plus every message still on
        /// its way to the broker (whose partition is not known yet).
        /// </summary>
        public long UnfetchedBytes
        {
            get
            {
                var largest = 0L;
                foreach (var counters in _partitions.Values)
                {
                    largest = Math.Max(largest, Volatile.Read(ref counters.Produced) - Volatile.Read(ref counters.Fetched));
                }
                return largest + Math.Max(0, Volatile.Read(ref _producing));
            }
        }
    }

    private sealed class PartitionCounters
    {
        public long Produced;
        public long Fetched;
    }
}
