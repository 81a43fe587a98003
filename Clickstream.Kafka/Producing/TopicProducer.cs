using System.Text;
using Clickstream.Kafka.Backlog;
using Clickstream.Kafka.Serialization;
using Clickstream.Kafka.Telemetry;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Clickstream.Kafka.Producing;

/// <summary>
/// One Confluent producer per topic producer, shared by every caller: concurrent produces are batched by
/// librdkafka (linger) instead of each waiting for its own round trip. It is replaced after a fatal error
/// (<see cref="RecoverableProducer{TKey,TValue}"/>), so every produce reads the current one. When something listens to
/// <c>Clickstream.Kafka</c>, each call is a producer span whose W3C context every message carries (<see cref="ProduceActivity"/>).
/// </summary>
internal sealed class TopicProducer<TMessage> : ITopicProducer<TMessage>, IOwnedProducer
    where TMessage : class
{
    private static readonly byte[] ContentType = Encoding.UTF8.GetBytes(WireJson.ContentType);
    private readonly RecoverableProducer<string?, byte[]> _producer;
    private readonly Func<TMessage, string?> _key;
    private readonly LocalBacklog.TopicCounters _backlog;
    private readonly TopicSendMetrics _metrics;
    private readonly string _spanName;

    /// <param name="clock">Times the rebuild after a fatal error (<see cref="TopicProducerSettings{TMessage}.RebuildDelay"/>).</param>
    public TopicProducer(TopicProducerSettings<TMessage> settings, ClientConfig host, ILogger logger, TimeProvider clock, ProducerMetrics metrics)
    {
        Topic = settings.Topic;
        _key = settings.Key;
        _producer = new RecoverableProducer<string?, byte[]>(Topic, ProducerDefaults.Create(host, settings.ProducerSettings), settings.RebuildDelay, logger, clock);
        _backlog = LocalBacklog.For(host.BootstrapServers ?? "", Topic);
        _metrics = metrics.For(Topic);
        _spanName = ProduceActivity.NameFor(Topic);
    }

    public string Topic { get; }

    public KafkaProducerState State => _producer.State;

    public Task ProduceAsync(TMessage message, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return ProduceOne(ToKafka(message, WireJson.Serialize(message), headers), cancellationToken);
    }

    public Task ProduceManyAsync(IReadOnlyCollection<TMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return ProduceAll(messages.Count, messages.Select(m => ToKafka(m, WireJson.Serialize(m), null)), cancellationToken);
    }

    public Task ProduceManyAsync(IReadOnlyList<TMessage> messages, IReadOnlyList<byte[]> values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != messages.Count)
        {
            throw new ArgumentException($"{values.Count} values for {messages.Count} messages.", nameof(values));
        }
        return ProduceAll(messages.Count, messages.Select((m, i) => ToKafka(m, values[i], null)), cancellationToken);
    }

    public void Close(TimeSpan flushTimeout) => _producer.Close(flushTimeout);

    private Task ProduceOne(Message<string?, byte[]> kafka, CancellationToken cancellationToken)
    {
        var activity = ProduceActivity.Start(_spanName, Topic, 1, kafka.Key);
        activity?.Inject(kafka.Headers);
        var deliveries = new PendingDeliveries(1, _backlog, _metrics, activity);
        deliveries.Produce(_producer.Current, Topic, kafka, cancellationToken);
        return deliveries.Task;
    }

    private Task ProduceAll(int count, IEnumerable<Message<string?, byte[]>> messages, CancellationToken cancellationToken)
    {
        // One span for the call, as the request that made it: every message carries its context.
        var activity = count == 0 ? null : ProduceActivity.Start(_spanName, Topic, count, key: null);
        var deliveries = new PendingDeliveries(count, _backlog, _metrics, activity);
        // One producer for the whole call: its messages keep their order even if a rebuild happens meanwhile.
        var producer = _producer.Current;
        foreach (var kafka in messages)
        {
            activity?.Inject(kafka.Headers);
            deliveries.Produce(producer, Topic, kafka, cancellationToken);
        }
        return deliveries.Task;
    }

    private Message<string?, byte[]> ToKafka(TMessage message, byte[] value, IReadOnlyDictionary<string, string>? headers)
    {
        var kafkaHeaders = new Headers { { "Content-Type", ContentType } };
        if (headers is not null)
        {
            foreach (var (name, text) in headers)
            {
                kafkaHeaders.Add(name, Encoding.UTF8.GetBytes(text));
            }
        }
        return new Message<string?, byte[]>
        {
            Key = _key(message),
            Value = value,
            Headers = kafkaHeaders,
        };
    }
}
