using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace Clickstream.Kafka.Configuration;

/// <summary>Creates missing topics (and their dead-letter topics) at start, where the cluster allows it.</summary>
internal sealed class TopicCreator(ClientConfig host, ILogger logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public void EnsureExist(IEnumerable<TopicEndpointSettings> endpoints)
    {
        var wanted = endpoints.Where(e => e.CreateTopicsIfMissing)
            .SelectMany(e => new[] { (e.Topic, e.Partitions, e.ReplicationFactor), (e.DeadLetterTopic, e.Partitions, e.ReplicationFactor) })
            .DistinctBy(t => t.Item1)
            .ToList();
        if (wanted.Count == 0)
        {
            return;
        }

        var admin = new AdminClientBuilder(new AdminClientConfig(new Dictionary<string, string>(host))).Build();
        try
        {
            var existing = admin.GetMetadata(Timeout).Topics.Where(t => !t.Error.IsError).Select(t => t.Topic).ToHashSet();
            var missing = wanted.Where(t => !existing.Contains(t.Item1))
                .Select(t => new TopicSpecification { Name = t.Item1, NumPartitions = t.Item2, ReplicationFactor = t.Item3 })
                .ToList();
            if (missing.Count == 0)
            {
                return;
            }
            admin.CreateTopicsAsync(missing, new CreateTopicsOptions { RequestTimeout = Timeout, OperationTimeout = Timeout })
                .WaitAsync(Timeout + Timeout).GetAwaiter().GetResult();
            logger.LogInformation("Created Kafka topics {Topics}", string.Join(", ", missing.Select(t => t.Name)));
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another instance created them first.
        }
        catch (Exception e) when (e is KafkaException or TimeoutException or CreateTopicsException)
        {
            // Some clusters (and librdkafka's mock cluster) do not support creating topics: consumers still work
            // once the topics exist, so say so and go on.
            logger.LogWarning("Could not create missing Kafka topics ({Reason}); create them on the cluster if they do not exist", e.Message);
        }
        finally
        {
            // Tearing a librdkafka client down takes ~200 ms (measured against the embedded broker), four times the
            // metadata query: it happens off the endpoint's start, which waits for this.
            _ = Task.Run(admin.Dispose);
        }
    }
}
