using System.Text.Json;
using Clickstream.Benchmarks.Infrastructure;
using Clickstream.Consumers.Storage;
using Clickstream.Contracts;
using Clickstream.Kafka.Serialization;
using Confluent.Kafka;
using Npgsql;

namespace Clickstream.Benchmarks.Ceilings;

/// <summary>
/// The consumer ceiling: what the drain would take with no MassTransit and no rider. A bare Confluent consumer (the
/// worker's consumer settings: librdkafka's defaults, a fresh group from the earliest offset, no auto-commit) reads the
/// preloaded events, parses each with System.Text.Json into a <see cref="ClickEvent"/>, writes every batch of the same
/// size with the store's binary COPY on one connection, and commits the batch's offsets once it is stored. A batch is also
/// written when no message came for the worker's time limit. No dead letters, no contract check, no duplicate handling.
/// </summary>
public static class PlainConsumerCeiling
{
    public sealed record Drained(int Rows, TimeSpan Elapsed, DrainMeter Meter);

    public static async Task<Drained> DrainAsync(string bootstrapServers, string connectionString, string? postgresDataDirectory, int expected,
        int batchSize, TimeSpan timeLimit, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await EventsTable.TruncateAsync(connection, cancellationToken);

        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"bench-plain-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            SessionTimeoutMs = 6000,
        };
        var meter = DrainMeter.Start(postgresDataDirectory, expected);
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        consumer.Subscribe(Topics.RawEvents);
        var batch = new List<ClickEvent>(batchSize);
        var next = new Dictionary<TopicPartition, Offset>();
        var stored = 0;
        var batchStarted = TimeSpan.Zero;
        try
        {
            while (stored < expected && meter.Elapsed < timeout)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = consumer.Consume(TimeSpan.FromMilliseconds(50));
                if (result?.Message is { } message)
                {
                    if (batch.Count == 0)
                    {
                        batchStarted = meter.Elapsed;
                    }
                    batch.Add(JsonSerializer.Deserialize<ClickEvent>(message.Value, WireJson.Options)!);
                    next[result.TopicPartition] = result.Offset + 1;
                }
                if (batch.Count > 0 && (batch.Count >= batchSize || meter.Elapsed - batchStarted >= timeLimit))
                {
                    await ClickEventCopy.WriteAsync(connection, "events", batch, cancellationToken);
                    consumer.Commit(next.Select(p => new TopicPartitionOffset(p.Key, p.Value)));
                    stored += batch.Count;
                    batch.Clear();
                    meter.Observe(stored);
                }
            }
            return new Drained(stored, meter.Stop(stored), meter);
        }
        finally
        {
            consumer.Close();
        }
    }
}
