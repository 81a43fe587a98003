using System.Diagnostics;
using System.Globalization;
using System.Text;
using Clickstream.Kafka.Producing;
using Clickstream.Kafka.Telemetry;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Clickstream.Kafka.Consuming;

/// <summary>
/// Writes messages that can never be processed to a dead-letter topic, unchanged, with the reason and their origin
/// in headers. A send is retried until the broker has it (or the endpoint stops): until then the source offset
/// is not committed, so nothing is lost when the dead-letter topic is unreachable. A refusal that retrying cannot
/// change (the message is larger than the producer or the dead-letter topic take) is answered by cutting the value
/// to fit, saying so in headers: a dead letter never stalls its partition and is never dropped silently. The
/// producer is rebuilt after a fatal error, like the rider's topic producers.
/// </summary>
internal sealed partial class DeadLetterProducer : IDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    // Room left for the record's framing when the value is cut to fit message.max.bytes.
    private const int FramingAllowance = 1024;
    // A reason or exception text longer than this is cut: it must never be what makes a dead letter too large.
    private const int MaxReasonChars = 4096;

    private readonly RecoverableProducer<byte[]?, byte[]?> _producer;
    private readonly int _maxMessageBytes;
    private readonly string _topic;
    private readonly ILogger _logger;
    private readonly EndpointMetrics _metrics;

    /// <param name="metrics">The source endpoint's instruments: dead letters by reason, and the sends to <paramref name="topic"/>.</param>
    public DeadLetterProducer(ProducerConfig config, string topic, ILogger logger, EndpointMetrics metrics, TimeSpan? rebuildDelay = null,
        TimeProvider? clock = null)
    {
        _producer = new RecoverableProducer<byte[]?, byte[]?>($"{topic} (dead letters)", config, rebuildDelay ?? TimeSpan.FromSeconds(1), logger, clock);
        _maxMessageBytes = config.MessageMaxBytes ?? 1_000_000;
        _topic = topic;
        _logger = logger;
        _metrics = metrics;
    }

    public string Topic => _topic;

    public KafkaProducerState State => _producer.State;

    public async Task SendAsync(ConsumeResult<byte[]?, byte[]?> source, DeadLetterReason reasonClass, string reason, Exception? exception,
        CancellationToken cancellationToken)
    {
        var deadLetter = Letter(source, reason, exception);
        var message = deadLetter.Whole();
        var backoff = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                // A producer released after a fatal error gives no delivery report: the message timeout bounds the wait.
                await _producer.Current.ProduceAsync(_topic, message, cancellationToken)
                    .WaitAsync(_producer.MessageTimeout + TimeSpan.FromSeconds(5), cancellationToken);
                _metrics.DeadLetterSends.Record(1, 0, null, started);
                _metrics.DeadLettered(reasonClass);
                LogDeadLettered(source.Topic, source.Partition.Value, source.Offset.Value, _topic, reason);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && RecordFailed(e, started))
            {
                // Not reached: the filter records the failed send and lets the handlers below decide.
                throw;
            }
            catch (ProduceException<byte[]?, byte[]?> e) when (IsTooLarge(e.Error.Code) && !cancellationToken.IsCancellationRequested)
            {
                // Permanent for this message as it is: the same bytes would be refused for ever.
                if (deadLetter.Smaller(message, _maxMessageBytes - FramingAllowance) is { } smaller)
                {
                    LogTruncated(source.Topic, source.Partition.Value, source.Offset.Value, _topic, deadLetter.OriginalSize, smaller.Value?.Length ?? 0, e.Error.Reason);
                    message = smaller;
                    continue;
                }
                // Even the dead-letter headers alone are refused (a topic limit of a few KB): a setting to fix. Waiting
                // for it, loudly, is the only way that loses nothing.
                LogRetrying(e, source.Topic, source.Partition.Value, source.Offset.Value, _topic, backoff);
                await Task.Delay(backoff, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
            catch (Exception e) when ((e is KafkaException or TimeoutException or ObjectDisposedException) && !cancellationToken.IsCancellationRequested)
            {
                LogRetrying(e, source.Topic, source.Partition.Value, source.Offset.Value, _topic, backoff);
                await Task.Delay(backoff, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    public void Dispose() => _producer.Close(TimeSpan.FromSeconds(10));

    // An exception filter that records and never catches: every failed attempt counts once, whatever handles it.
    private bool RecordFailed(Exception failure, long started)
    {
        _metrics.DeadLetterSends.Record(0, 1, failure, started);
        return false;
    }

    private static bool IsTooLarge(ErrorCode code) => code is ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge;

    private static DeadLetter Letter(ConsumeResult<byte[]?, byte[]?> source, string reason, Exception? exception)
    {
        var headers = new Headers();
        Add(headers, DeadLetterHeaders.Reason, Cut(reason));
        if (exception is not null)
        {
            Add(headers, DeadLetterHeaders.Exception, Cut($"{exception.GetType().FullName}: {exception.Message}"));
        }
        Add(headers, DeadLetterHeaders.SourceTopic, source.Topic);
        Add(headers, DeadLetterHeaders.SourcePartition, source.Partition.Value.ToString(CultureInfo.InvariantCulture));
        Add(headers, DeadLetterHeaders.SourceOffset, source.Offset.Value.ToString(CultureInfo.InvariantCulture));
        Add(headers, DeadLetterHeaders.DeadLetteredAt, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        return new DeadLetter(source.Message, headers);
    }

    private static string Cut(string text) => text.Length <= MaxReasonChars ? text : text[..MaxReasonChars] + "…";

    private static void Add(Headers headers, string name, string value) => headers.Add(name, Encoding.UTF8.GetBytes(value));

    /// <summary>A dead letter and the ever smaller forms it can take when the dead-letter topic refuses it as too large.</summary>
    private sealed class DeadLetter(Message<byte[]?, byte[]?> original, Headers deadLetterHeaders)
    {
        private bool _originalLeftOut;

        public int OriginalSize => original.Value?.Length ?? 0;

        /// <summary>The message unchanged, its own headers first, then the dead-letter headers.</summary>
        public Message<byte[]?, byte[]?> Whole() => new()
        {
            Key = original.Key,
            Value = original.Value,
            Headers = Headers(includeOriginal: true, truncated: false),
        };

        /// <summary>
        /// A smaller form than <paramref name="refused"/>: first the value cut to what <paramref name="budget"/> leaves,
        /// then halved while the broker (whose limit may be lower) refuses it, then without the original's own headers and
        /// key. Null when nothing is left to cut.
        /// </summary>
        public Message<byte[]?, byte[]?>? Smaller(Message<byte[]?, byte[]?> refused, int budget)
        {
            var length = refused.Value?.Length ?? 0;
            if (length > 0)
            {
                var headers = Headers(includeOriginal: true, truncated: true);
                var room = Math.Max(0, budget - (original.Key?.Length ?? 0) - SizeOf(headers));
                // Cut to the producer's own limit first; if that was refused, the topic's limit is lower: halve.
                var cut = length > room ? room : length / 2;
                return new() { Key = original.Key, Value = original.Value.AsSpan(0, cut).ToArray(), Headers = headers };
            }
            if (!_originalLeftOut)
            {
                _originalLeftOut = true;
                return new() { Key = null, Value = [], Headers = Headers(includeOriginal: false, truncated: true) };
            }
            return null;
        }

        private Headers Headers(bool includeOriginal, bool truncated)
        {
            var headers = new Headers();
            if (includeOriginal)
            {
                foreach (var header in original.Headers ?? [])
                {
                    headers.Add(header.Key, header.GetValueBytes());
                }
            }
            foreach (var header in deadLetterHeaders)
            {
                headers.Add(header.Key, header.GetValueBytes());
            }
            if (truncated)
            {
                Add(headers, DeadLetterHeaders.Truncated, "true");
                Add(headers, DeadLetterHeaders.OriginalSize, OriginalSize.ToString(CultureInfo.InvariantCulture));
            }
            return headers;
        }

        private static int SizeOf(Headers headers) => headers.Sum(h => h.Key.Length + (h.GetValueBytes()?.Length ?? 0) + 8);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered {Topic}[{Partition}]@{Offset} to {DeadLetterTopic}: {Reason}")]
    private partial void LogDeadLettered(string topic, int partition, long offset, string deadLetterTopic, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Dead letter for {Topic}[{Partition}]@{Offset} refused by {DeadLetterTopic} as too large ({Reason}): writing it with its {OriginalSize}-byte value cut to {TruncatedSize} bytes")]
    private partial void LogTruncated(string topic, int partition, long offset, string deadLetterTopic, int originalSize, int truncatedSize, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not dead-letter {Topic}[{Partition}]@{Offset} to {DeadLetterTopic}; retrying in {Backoff}")]
    private partial void LogRetrying(Exception exception, string topic, int partition, long offset, string deadLetterTopic, TimeSpan backoff);
}
