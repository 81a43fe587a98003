using Confluent.Kafka;

namespace Clickstream.Tests.Kafka;

/// <summary>Plain Confluent clients configured the way the tests use them against the embedded broker.</summary>
internal static class KafkaTestClients
{
    public static IProducer<string, string> Producer(string bootstrapServers, Action<ProducerConfig>? configure = null)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        };
        configure?.Invoke(config);
        return new ProducerBuilder<string, string>(config).Build();
    }

    public static ConsumerConfig ConsumerConfig(string bootstrapServers, string groupId) => new()
    {
        BootstrapServers = bootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeoutMs = 6000,
    };

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Produces messages with the delivery-report API and waits for every report.</summary>
    public static async Task<IReadOnlyList<DeliveryResult<string, string>>> ProduceAllAsync(
        IProducer<string, string> producer, string topic, IEnumerable<Message<string, string>> messages)
    {
        var reports = new List<DeliveryResult<string, string>>();
        var failures = new List<Error>();
        var pending = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = false;

        void OnDelivery(DeliveryReport<string, string> report)
        {
            lock (reports)
            {
                if (report.Error.IsError)
                {
                    failures.Add(report.Error);
                }
                else
                {
                    reports.Add(report);
                }
                if (--pending == 0 && sent)
                {
                    done.TrySetResult();
                }
            }
        }

        foreach (var message in messages)
        {
            lock (reports)
            {
                pending++;
            }
            producer.Produce(topic, message, OnDelivery);
        }
        lock (reports)
        {
            sent = true;
            if (pending == 0)
            {
                done.TrySetResult();
            }
        }
        await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Empty(failures);
        return reports;
    }

    /// <summary>The offsets a consumer group committed on a topic, read without joining the group.</summary>
    public static IReadOnlyDictionary<int, long> CommittedOffsets(string bootstrapServers, string groupId, string topic, int partitions)
    {
        using var reader = new ConsumerBuilder<Ignore, Ignore>(ConsumerConfig(bootstrapServers, groupId)).Build();
        var committed = reader.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(30));
        return committed.ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
    }

    /// <summary>The end (high watermark) offset of each partition of a topic.</summary>
    public static IReadOnlyDictionary<int, long> EndOffsets(string bootstrapServers, string topic, int partitions)
    {
        using var reader = new ConsumerBuilder<Ignore, Ignore>(ConsumerConfig(bootstrapServers, UniqueName("watermarks"))).Build();
        return Enumerable.Range(0, partitions).ToDictionary(p => p,
            p => reader.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(30)).High.Value);
    }

    /// <summary>Reads every message on a topic from the beginning until <paramref name="count"/> arrived (bounded).</summary>
    public static List<ConsumeResult<string?, string?>> ReadAll(string bootstrapServers, string topic, int count, TimeSpan? failsafe = null)
    {
        using var reader = new ConsumerBuilder<string?, string?>(ConsumerConfig(bootstrapServers, UniqueName("reader"))).Build();
        reader.Subscribe(topic);
        var results = new List<ConsumeResult<string?, string?>>();
        var deadline = DateTime.UtcNow + (failsafe ?? TimeSpan.FromMinutes(1));
        while (results.Count < count && DateTime.UtcNow < deadline)
        {
            if (reader.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
            {
                results.Add(result);
            }
        }
        reader.Close();
        return results;
    }

    /// <summary>A header's value as UTF-8 text, or null.</summary>
    public static string? Header<TKey, TValue>(ConsumeResult<TKey, TValue> result, string name) =>
        result.Message.Headers is { } headers && headers.TryGetLastBytes(name, out var bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : null;
}
