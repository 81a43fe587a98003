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
        return ProduceAsync(ToKafka(message, headers), cancellationToken);
    }

    public async Task ProduceManyAsync(IReadOnlyCollection<TMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var deliveries = new List<Task>(messages.Count);
        foreach (var message in messages)
        {
            deliveries.Add(ProduceAsync(ToKafka(message, null), cancellationToken));
        }
        await Task.WhenAll(deliveries);
    }

    public void Close(TimeSpan flushTimeout)
    {
        _producer.Flush(flushTimeout);
        _producer.Dispose();
    }

    private async Task ProduceAsync(Message<string?, byte[]> message, CancellationToken cancellationToken)
    {
        var size = LocalBacklog.SizeOf(message.Key is null ? 0 : Encoding.UTF8.GetByteCount(message.Key), message.Value.Length, message.Headers);
        _backlog.Producing(size);
        DeliveryResult<string?, byte[]> delivered;
        try
        {
            delivered = await _producer.ProduceAsync(Topic, message, cancellationToken);
        }
        catch
        {
            _backlog.NotProduced(size);
            throw;
        }
        _backlog.Produced(delivered.Partition.Value, size);
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
