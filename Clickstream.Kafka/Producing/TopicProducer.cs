using System.Text;
using System.Text.Json;
using Clickstream.Kafka.Backlog;
using Clickstream.Kafka.Serialization;
using Clickstream.Kafka.Telemetry;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Clickstream.Kafka.Producing;

/// <summary>
/// One Confluent producer per topic producer, shared by every caller: concurrent produces are batched by
/// librdkafka (linger) instead of each waiting for its own round trip. It is replaced after a fatal error
/// (<see cref="RecoverableProducer{TKey,TValue}"/>), so every produce reads the current one.
/// </summary>
internal sealed class TopicProducer<TMessage> : ITopicProducer<TMessage>, IOwnedProducer
    where TMessage : class
{
    private static readonly byte[] ContentType = Encoding.UTF8.GetBytes(WireJson.ContentType);
    private readonly RecoverableProducer<string?, byte[]> _producer;
    private readonly Func<TMessage, string?> _key;
    private readonly LocalBacklog.TopicCounters _backlog;
    private readonly TopicSendMetrics _metrics;

    /// <param name="clock">Times the rebuild after a fatal error (<see cref="TopicProducerSettings{TMessage}.RebuildDelay"/>).</param>
    public TopicProducer(TopicProducerSettings<TMessage> settings, ClientConfig host, ILogger logger, TimeProvider clock, ProducerMetrics metrics)
    {
        Topic = settings.Topic;
        _key = settings.Key;
        _producer = new RecoverableProducer<string?, byte[]>(Topic, ProducerDefaults.Create(host, settings.ProducerSettings), settings.RebuildDelay, logger, clock);
        _backlog = LocalBacklog.For(host.BootstrapServers ?? "", Topic);
        _metrics = metrics.For(Topic);
    }

    public string Topic { get; }

    public KafkaProducerState State => _producer.State;

    public Task ProduceAsync(TMessage message, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var deliveries = new PendingDeliveries(1, _backlog, _metrics);
        deliveries.Produce(_producer.Current, Topic, ToKafka(message, headers), cancellationToken);
        return deliveries.Task;
    }

    public Task ProduceManyAsync(IReadOnlyCollection<TMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var deliveries = new PendingDeliveries(messages.Count, _backlog, _metrics);
        // One producer for the whole call: its messages keep their order even if a rebuild happens meanwhile.
        var producer = _producer.Current;
        foreach (var message in messages)
        {
            deliveries.Produce(producer, Topic, ToKafka(message, null), cancellationToken);
        }
        return deliveries.Task;
    }

    public void Close(TimeSpan flushTimeout) => _producer.Close(flushTimeout);

    private Message<string?, byte[]> ToKafka(TMessage message, IReadOnlyDictionary<string, string>? headers)
    {
        var kafkaHeaders = new Headers { { "Content-Type", ContentType } };
        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                kafkaHeaders.Add(name, Encoding.UTF8.GetBytes(value));
            }
        }
        return new Message<string?, byte[]>
        {
            Key = _key(message),
            Value = JsonSerializer.SerializeToUtf8Bytes(message, WireJson.Options),
            Headers = kafkaHeaders,
        };
    }
}
