using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Clickstream.Kafka.Consuming;

/// <summary>
/// Writes messages that can never be processed to a dead-letter topic, unchanged, with the reason and their origin
/// in headers. A send is retried until the broker has it (or the endpoint stops): until then the source offset
/// is not committed, so nothing is lost when the dead-letter topic is unreachable.
/// </summary>
internal sealed class DeadLetterProducer : IDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly string _topic;
    private readonly ILogger _logger;

    public DeadLetterProducer(ProducerConfig config, string topic, ILogger logger)
    {
        _producer = new ProducerBuilder<byte[]?, byte[]?>(config).Build();
        _topic = topic;
        _logger = logger;
    }

    public string Topic => _topic;

    public async Task SendAsync(ConsumeResult<byte[]?, byte[]?> source, string reason, Exception? exception, CancellationToken cancellationToken)
    {
        var headers = new Headers();
        foreach (var header in source.Message.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }
        Add(headers, DeadLetterHeaders.Reason, reason);
        if (exception is not null)
        {
            Add(headers, DeadLetterHeaders.Exception, $"{exception.GetType().FullName}: {exception.Message}");
        }
        Add(headers, DeadLetterHeaders.SourceTopic, source.Topic);
        Add(headers, DeadLetterHeaders.SourcePartition, source.Partition.Value.ToString(CultureInfo.InvariantCulture));
        Add(headers, DeadLetterHeaders.SourceOffset, source.Offset.Value.ToString(CultureInfo.InvariantCulture));
        Add(headers, DeadLetterHeaders.DeadLetteredAt, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));

        var message = new Message<byte[]?, byte[]?> { Key = source.Message.Key, Value = source.Message.Value, Headers = headers };
        var backoff = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await _producer.ProduceAsync(_topic, message, cancellationToken);
                _logger.LogWarning("Dead-lettered {Topic}[{Partition}]@{Offset} to {DeadLetterTopic}: {Reason}",
                    source.Topic, source.Partition.Value, source.Offset.Value, _topic, reason);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> e) when (!cancellationToken.IsCancellationRequested)
            {
                _logger.LogError(e, "Could not dead-letter {Topic}[{Partition}]@{Offset} to {DeadLetterTopic}; retrying in {Backoff}",
                    source.Topic, source.Partition.Value, source.Offset.Value, _topic, backoff);
                await Task.Delay(backoff, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }

    private static void Add(Headers headers, string name, string value) => headers.Add(name, Encoding.UTF8.GetBytes(value));
}
