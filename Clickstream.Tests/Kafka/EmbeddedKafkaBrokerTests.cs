using Clickstream.Tests.Infrastructure;
using System.Collections.Concurrent;
using Clickstream.Kafka.Embedded;
using Confluent.Kafka;

namespace Clickstream.Tests.Kafka;

public sealed class EmbeddedKafkaBrokerTests
{
    private static readonly TimeSpan Failsafe = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Idempotent_producer_to_consumer_group_delivers_50000_messages_once_in_partition_order_and_commits_to_the_end()
    {
        const int count = 50_000;
        const string topic = "clicks";
        await using var broker = EmbeddedKafkaBroker.Start(new() { BrokerCount = 3, Topics = { [topic] = 3 } });

        using (var producer = KafkaTestClients.Producer(broker.BootstrapServers))
        {
            var messages = Enumerable.Range(0, count).Select(i => new Message<string, string> { Key = $"user-{i % 1000}", Value = i.ToString() });
            var reports = await KafkaTestClients.ProduceAllAsync(producer, topic, messages);
            Assert.Equal(count, reports.Count);
        }

        var received = new List<ConsumeResult<string, string>>(count);
        using var consumer = new ConsumerBuilder<string, string>(KafkaTestClients.ConsumerConfig(broker.BootstrapServers, "readers")).Build();
        consumer.Subscribe(topic);
        var deadline = DateTime.UtcNow + Failsafe;
        while (received.Count < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }
            received.Add(result);
            if (received.Count % 1000 == 0)
            {
                consumer.Commit(result);
            }
        }
        consumer.Commit(LastOffsets(received).Select(o => new TopicPartitionOffset(o.Key, o.Value + 1)));

        Assert.Equal(count, received.Count);
        Assert.Equal(count, received.Select(r => r.Message.Value).Distinct().Count());
        foreach (var partition in received.GroupBy(r => r.Partition.Value))
        {
            var values = partition.Select(r => int.Parse(r.Message.Value)).ToList();
            Assert.Equal(values.Order(), values);
            var offsets = partition.Select(r => r.Offset.Value).ToList();
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(o => (long)o), offsets);
        }

        var partitions = Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, p)).ToList();
        var committed = consumer.Committed(partitions, TimeSpan.FromSeconds(30));
        foreach (var tp in committed)
        {
            var end = consumer.QueryWatermarkOffsets(tp.TopicPartition, TimeSpan.FromSeconds(30)).High;
            Assert.Equal(end, tp.Offset);
        }
        Assert.Equal(count, committed.Sum(c => c.Offset.Value));
        consumer.Close();
    }

    [Fact]
    public async Task Two_consumers_in_a_group_split_the_partitions_and_the_one_that_stays_receives_the_rest()
    {
        const string topic = "clicks";
        const int partitionCount = 4;
        const int half = 5_000;
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [topic] = partitionCount } });
        using var producer = KafkaTestClients.Producer(broker.BootstrapServers);
        using var stop = new CancellationTokenSource();

        var first = new GroupMember(broker.BootstrapServers, topic, stop.Token);
        var second = new GroupMember(broker.BootstrapServers, topic, stop.Token);
        await WaitUntil(() => first.Assignment.Count > 0 && second.Assignment.Count > 0 &&
                              first.Assignment.Count + second.Assignment.Count == partitionCount);
        Assert.Empty(first.Assignment.Intersect(second.Assignment));

        await KafkaTestClients.ProduceAllAsync(producer, topic, Messages(0, half));
        await WaitUntil(() => first.Values.Union(second.Values).Distinct().Count() == half);
        Assert.NotEmpty(first.Values);
        Assert.NotEmpty(second.Values);

        await first.LeaveAsync();
        await WaitUntil(() => second.Assignment.Count == partitionCount);
        await KafkaTestClients.ProduceAllAsync(producer, topic, Messages(half, half));
        await WaitUntil(() => second.Values.Union(first.Values).Distinct().Count() == 2 * half);

        var all = first.Values.Union(second.Values).Select(int.Parse).ToHashSet();
        Assert.Equal(Enumerable.Range(0, 2 * half).ToHashSet(), all);
        Assert.Equal(half, second.Values.Select(int.Parse).Where(v => v >= half).Distinct().Count());
        await second.LeaveAsync();
    }

    [Fact]
    public async Task Produce_fails_fast_while_the_broker_is_down_and_succeeds_once_it_is_back()
    {
        const string topic = "clicks";
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [topic] = 1 } });
        using var producer = KafkaTestClients.Producer(broker.BootstrapServers, c => c.MessageTimeoutMs = 1500);
        await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "before" });

        broker.SetBrokerDown(1);
        var failure = await Assert.ThrowsAsync<ProduceException<string, string>>(() =>
            producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "while down" }).WaitAsync(Failsafe));
        Assert.Contains(failure.Error.Code, new[] { ErrorCode.Local_MsgTimedOut, ErrorCode.Local_Transport, ErrorCode.Local_AllBrokersDown });

        broker.SetBrokerUp(1);
        var delivered = await RetryUntilDelivered(producer, topic, "after");
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
    }

    [Fact]
    public async Task Pushed_produce_errors_are_retried_by_the_idempotent_producer_without_duplicates()
    {
        const string topic = "clicks";
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [topic] = 1 } });
        using var producer = KafkaTestClients.Producer(broker.BootstrapServers);
        await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "warm-up" });

        broker.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.NotEnoughReplicas, ErrorCode.NotEnoughReplicas, ErrorCode.RequestTimedOut);
        var delivered = await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "retried" }).WaitAsync(Failsafe);

        Assert.Equal(1, delivered.Offset.Value);
        using var consumer = new ConsumerBuilder<string, string>(KafkaTestClients.ConsumerConfig(broker.BootstrapServers, "readers")).Build();
        Assert.Equal(2, consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(30)).High.Value);
    }

    [Fact]
    public async Task Start_logs_one_line_with_the_bootstrap_servers_and_disposing_twice_is_safe()
    {
        var logger = new ListLogger();
        var broker = EmbeddedKafkaBroker.Start(new() { BrokerCount = 3, Topics = { ["a"] = 2, ["b"] = 1 } }, logger);

        var line = Assert.Single(logger.Lines);
        Assert.Equal($"Embedded Kafka broker started: bootstrap.servers={broker.BootstrapServers}", line);
        Assert.Equal(3, broker.BootstrapServers.Split(',').Length);
        Assert.All(broker.BootstrapServers.Split(','), s => Assert.StartsWith("127.0.0.1:", s));

        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(30));
            Assert.Equal(3, metadata.Brokers.Count);
            Assert.Equal(2, metadata.Topics.Single(t => t.Topic == "a").Partitions.Count);
            Assert.Single(metadata.Topics.Single(t => t.Topic == "b").Partitions);
        }

        await broker.DisposeAsync();
        await broker.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => broker.CreateTopic("c", 1));
    }

    private static IEnumerable<Message<string, string>> Messages(int from, int count) =>
        Enumerable.Range(from, count).Select(i => new Message<string, string> { Key = $"user-{i % 50}", Value = i.ToString() });

    private static Dictionary<TopicPartition, long> LastOffsets(IEnumerable<ConsumeResult<string, string>> results) =>
        results.GroupBy(r => r.TopicPartition).ToDictionary(g => g.Key, g => g.Max(r => r.Offset.Value));

    private static async Task<DeliveryResult<string, string>> RetryUntilDelivered(IProducer<string, string> producer, string topic, string value)
    {
        var deadline = DateTime.UtcNow + Failsafe;
        while (true)
        {
            try
            {
                return await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = value });
            }
            catch (ProduceException<string, string>) when (DateTime.UtcNow < deadline)
            {
                // The client may still be reconnecting with backoff right after the broker came back.
            }
        }
    }

    private static Task WaitUntil(Func<bool> condition) =>
        Eventually.HoldsAsync(condition, () => "The condition was not met within the failsafe bound.", Failsafe);

    /// <summary>A consumer in group "members" running its poll loop on its own thread, committing what it processed.</summary>
    private sealed class GroupMember
    {
        private readonly ConcurrentQueue<string> _values = new();
        private readonly CancellationTokenSource _leave = new();
        private readonly Task _loop;
        private volatile List<TopicPartition> _assignment = [];

        public GroupMember(string bootstrapServers, string topic, CancellationToken stop)
        {
            var config = KafkaTestClients.ConsumerConfig(bootstrapServers, "members");
            var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, _leave.Token);
            _loop = Task.Factory.StartNew(() => Run(config, topic, linked.Token), TaskCreationOptions.LongRunning);
        }

        public IReadOnlyList<TopicPartition> Assignment => _assignment;

        public IReadOnlyCollection<string> Values => _values.ToArray();

        public async Task LeaveAsync()
        {
            await _leave.CancelAsync();
            await _loop.WaitAsync(Failsafe);
        }

        private void Run(ConsumerConfig config, string topic, CancellationToken token)
        {
            using var consumer = new ConsumerBuilder<string, string>(config)
                .SetPartitionsAssignedHandler((_, partitions) => _assignment = partitions.ToList())
                .SetPartitionsRevokedHandler((c, _) =>
                {
                    _assignment = [];
                    CommitProcessed(c);
                })
                .Build();
            consumer.Subscribe(topic);
            while (!token.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is not null)
                {
                    _values.Enqueue(result.Message.Value);
                }
            }
            CommitProcessed(consumer);
            consumer.Close();
        }

        private static void CommitProcessed(IConsumer<string, string> consumer)
        {
            try
            {
                consumer.Commit();
            }
            catch (KafkaException)
            {
                // Nothing processed since the last commit, or the group is already rebalancing: what was not
                // committed is delivered again, which at-least-once allows.
            }
        }
    }
}
