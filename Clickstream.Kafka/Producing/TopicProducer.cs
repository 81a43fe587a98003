using System.Text;
using System.Text.Json;
using Clickstream.Kafka.Backlog;
using Clickstream.Kafka.Serialization;
using Confluent.Kafka;

namespace Clickstream.Kafka.Producing;

/// <summary>
/// One Confluent producer per topic producer, shared by every caller: concurrent produces are batched by
/// librdkafka (linger) instead of each waiting for its own round trip.
/// </summary>
internal sealed class TopicProducer<TMessage> : ITopicProducer<TMessage>, IOwnedProducer
    where TMessage : class
{
    private static readonly byte[] ContentType = Encoding.UTF8.GetBytes(WireJson.ContentType);
    private readonly IProducer<string?, byte[]> _producer;
    private readonly Func<TMessage, string?> _key;
    private readonly LocalBacklog.TopicCounters _backlog;

    public TopicProducer(TopicProducerSettings<TMessage> settings, ClientConfig host)
    {
        Topic = settings.Topic;
        _key = settings.Key;
        _producer = new ProducerBuilder<string?, byte[]>(ProducerDefaults.Create(host, settings.ProducerSettings)).Build();
        _backlog = LocalBacklog.For(host.BootstrapServers ?? "", Topic);
    }

    public string Topic { get; }

    public Task ProduceAsync(TMessage message, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var deliveries = new PendingDeliveries(1, _backlog);
        deliveries.Produce(_producer, Topic, ToKafka(message, headers), cancellationToken);
        return deliveries.Task;
    }

    public Task ProduceManyAsync(IReadOnlyCollection<TMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var deliveries = new PendingDeliveries(messages.Count, _backlog);
        foreach (var message in messages)
        {
            deliveries.Produce(_producer, Topic, ToKafka(message, null), cancellationToken);
        }
        return deliveries.Task;
    }

    public void Close(TimeSpan flushTimeout)
    {
        _producer.Flush(flushTimeout);
        _producer.Dispose();
    }

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
