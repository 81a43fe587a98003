namespace Clickstream.Kafka.Embedded;

/// <summary>Shape of the embedded broker: brokers, topics and how fast consumer groups form.</summary>
public sealed class EmbeddedKafkaBrokerOptions
{
    /// <summary>Number of brokers in the cluster (ids 1..N). Default 1.</summary>
    public int BrokerCount { get; set; } = 1;

    /// <summary>Topics to create at start, by name, with their partition counts.</summary>
    public Dictionary<string, int> Topics { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How long the group coordinator waits for more members before the first rebalance of a new group.
    /// librdkafka's mock default is 3 s; 100 ms keeps start-up and tests quick.
    /// </summary>
    public TimeSpan InitialRebalanceDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    internal void Validate()
    {
        if (BrokerCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BrokerCount), BrokerCount, "The embedded broker needs at least one broker.");
        }
        foreach (var (topic, partitions) in Topics)
        {
            if (string.IsNullOrWhiteSpace(topic) || partitions < 1)
            {
                throw new ArgumentException($"Topic '{topic}' needs a name and at least one partition (got {partitions}).", nameof(Topics));
            }
        }
        if (InitialRebalanceDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialRebalanceDelay), InitialRebalanceDelay, "The delay cannot be negative.");
        }
    }
}
