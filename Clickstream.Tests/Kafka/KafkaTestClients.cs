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
}
