using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clickstream.Kafka.Embedded;

/// <summary>
/// A Kafka-protocol broker inside this process: librdkafka's mock cluster, listening on 127.0.0.1 ephemeral
/// ports, so any real client talks to it over TCP. For development and tests only: it keeps data in memory,
/// about 5 MB or 100k message sets per partition (older data is dropped), and has no CreateTopics API, so
/// topics are created here with <see cref="CreateTopic"/>.
/// </summary>
public sealed class EmbeddedKafkaBroker : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private IntPtr _handle;
    private IntPtr _cluster;

    private EmbeddedKafkaBroker(IntPtr handle, IntPtr cluster, string bootstrapServers, int brokerCount)
    {
        _handle = handle;
        _cluster = cluster;
        BootstrapServers = bootstrapServers;
        BrokerCount = brokerCount;
    }

    /// <summary>The <c>bootstrap.servers</c> value for clients: host:port of every broker.</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of brokers; their ids are 1..<see cref="BrokerCount"/>.</summary>
    public int BrokerCount { get; }

    /// <summary>Starts a cluster with the given brokers and topics.</summary>
    public static EmbeddedKafkaBroker Start(EmbeddedKafkaBrokerOptions? options = null, ILogger? logger = null)
    {
        options ??= new EmbeddedKafkaBrokerOptions();
        options.Validate();
        logger ??= NullLogger.Instance;

        var handle = MockClusterNative.NewHandle();
        var cluster = MockClusterNative.rd_kafka_mock_cluster_new(handle, options.BrokerCount);
        if (cluster == IntPtr.Zero)
        {
            MockClusterNative.rd_kafka_destroy(handle);
            throw new InvalidOperationException(
                $"librdkafka could not start a mock cluster of {options.BrokerCount} broker(s) (from {LoadedLibrdkafka.Path ?? "librdkafka"}).");
        }

        var bootstrap = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(
            MockClusterNative.rd_kafka_mock_cluster_bootstraps(cluster))!;
        var broker = new EmbeddedKafkaBroker(handle, cluster, bootstrap, options.BrokerCount);
        try
        {
            MockClusterNative.rd_kafka_mock_group_initial_rebalance_delay_ms(cluster, (int)options.InitialRebalanceDelay.TotalMilliseconds);
            foreach (var (topic, partitions) in options.Topics)
            {
                broker.CreateTopic(topic, partitions);
            }
        }
        catch
        {
            broker.Destroy();
            throw;
        }

        logger.LogInformation("Embedded Kafka broker started: bootstrap.servers={BootstrapServers}", bootstrap);
        return broker;
    }

    /// <summary>Creates a topic (replication factor 1). Creating an existing topic fails.</summary>
    public void CreateTopic(string topic, int partitions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        Check(MockClusterNative.rd_kafka_mock_topic_create(Cluster, topic, partitions, 1), $"create topic '{topic}'");
    }

    /// <summary>Takes a broker down: its connections close and it refuses new ones until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId) =>
        Check(MockClusterNative.rd_kafka_mock_broker_set_down(Cluster, CheckBroker(brokerId)), $"take broker {brokerId} down");

    /// <summary>Brings a broker taken down with <see cref="SetBrokerDown"/> back.</summary>
    public void SetBrokerUp(int brokerId) =>
        Check(MockClusterNative.rd_kafka_mock_broker_set_up(Cluster, CheckBroker(brokerId)), $"bring broker {brokerId} up");

    /// <summary>Delays every answer of a broker by <paramref name="roundTripTime"/>.</summary>
    public void SetRoundTripTime(int brokerId, TimeSpan roundTripTime) =>
        Check(MockClusterNative.rd_kafka_mock_broker_set_rtt(Cluster, CheckBroker(brokerId), (int)roundTripTime.TotalMilliseconds),
            $"set the round-trip time of broker {brokerId}");

    /// <summary>The next requests of type <paramref name="apiKey"/>, on any broker, fail with these errors, one each, in order.</summary>
    public void PushRequestErrors(KafkaApiKey apiKey, params ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var codes = Array.ConvertAll(errors, e => (int)e);
        MockClusterNative.rd_kafka_mock_push_request_errors_array(Cluster, (short)apiKey, (UIntPtr)codes.Length, codes);
    }

    /// <summary>Forgets errors pushed for <paramref name="apiKey"/> that were not used yet.</summary>
    public void ClearRequestErrors(KafkaApiKey apiKey) =>
        MockClusterNative.rd_kafka_mock_clear_request_errors(Cluster, (short)apiKey);

    /// <summary>Stops the brokers; connected clients see their connections close. Safe to call twice.</summary>
    public ValueTask DisposeAsync()
    {
        // Destroying joins the mock cluster's thread: keep that off the caller's thread.
        return new ValueTask(Task.Run(Destroy));
    }

    private void Destroy()
    {
        IntPtr cluster, handle;
        lock (_gate)
        {
            (cluster, handle) = (_cluster, _handle);
            (_cluster, _handle) = (IntPtr.Zero, IntPtr.Zero);
        }
        if (cluster != IntPtr.Zero)
        {
            MockClusterNative.rd_kafka_mock_cluster_destroy(cluster);
        }
        if (handle != IntPtr.Zero)
        {
            MockClusterNative.rd_kafka_destroy(handle);
        }
    }

    private IntPtr Cluster
    {
        get
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
                return _cluster;
            }
        }
    }

    private int CheckBroker(int brokerId)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerId, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokerId, BrokerCount);
        return brokerId;
    }

    private static void Check(int error, string action)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"Embedded Kafka broker could not {action}: {(ErrorCode)error}.");
        }
    }
}
