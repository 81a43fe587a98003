using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Clickstream.Kafka.Producing;

/// <summary>
/// A Confluent producer that is replaced by a new one when librdkafka raises a fatal error. An idempotent producer
/// becomes unusable for good when it can no longer guarantee order and once-only delivery (a sequence
/// desynchronization with the broker, say): every later produce fails. Without a replacement a service would refuse
/// everything until someone restarted it. After <see cref="TopicProducerSettings{TMessage}.RebuildDelay"/> (which keeps a
/// producer that keeps failing from being rebuilt in a tight loop) a new producer takes over; the broken one is
/// flushed in the background, so messages already in flight still get the broker's answer (acknowledged only if it
/// has them), then released. Its state is reported to health checks through <see cref="State"/>.
/// </summary>
internal sealed partial class RecoverableProducer<TKey, TValue>
{
    private readonly ProducerConfig _config;
    private readonly TimeSpan _rebuildDelay;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private volatile IProducer<TKey, TValue> _current;
    private volatile KafkaProducerState _state;
    private bool _closed;

    public RecoverableProducer(string name, ProducerConfig config, TimeSpan rebuildDelay, ILogger logger, TimeProvider? time = null)
    {
        _config = config;
        _rebuildDelay = rebuildDelay;
        _time = time ?? TimeProvider.System;
        _logger = logger;
        _state = new KafkaProducerState(name, IsBroken: false, LastFatalError: null, LastFatalAt: null, Rebuilds: 0);
        _current = Build();
    }

    /// <summary>The producer to use now. Read it for every produce: it changes after a fatal error.</summary>
    public IProducer<TKey, TValue> Current => _current;

    public KafkaProducerState State => _state;

    /// <summary>The producer's message.timeout.ms: every message has its delivery report within it.</summary>
    public TimeSpan MessageTimeout => TimeSpan.FromMilliseconds(_config.MessageTimeoutMs ?? 300_000);

    /// <summary>Waits (bounded) for messages in flight, then releases the producer; no rebuild happens after this.</summary>
    public void Close(TimeSpan flushTimeout)
    {
        IProducer<TKey, TValue> current;
        lock (_gate)
        {
            _closed = true;
            current = _current;
        }
        current.Flush(flushTimeout);
        current.Dispose();
    }

    private IProducer<TKey, TValue> Build() =>
        new ProducerBuilder<TKey, TValue>(_config)
            .SetErrorHandler(OnError)
            .Build();

    // librdkafka's poll thread: record and schedule, never block or dispose here (disposing joins this very thread).
    private void OnError(IProducer<TKey, TValue> producer, Error error)
    {
        if (!error.IsFatal)
        {
            // Broker down, connection refused...: librdkafka retries by itself, and a produce that cannot be delivered
            // fails with its own error. Readiness reports the cluster; this is detail.
            LogClientError(_state.Name, error.Code, error.Reason);
            return;
        }
        lock (_gate)
        {
            if (_closed || !ReferenceEquals(producer, _current) || _state.IsBroken)
            {
                return;
            }
            var now = _time.GetUtcNow();
            _state = _state with { IsBroken = true, LastFatalError = $"{error.Code}: {error.Reason}", LastFatalAt = now, RebuildAt = now + _rebuildDelay };
        }
        LogFatal(_state.Name, error.Code, error.Reason, _rebuildDelay);
        _ = RebuildAsync(producer);
    }

    private async Task RebuildAsync(IProducer<TKey, TValue> broken)
    {
        await Task.Delay(_rebuildDelay, _time);
        lock (_gate)
        {
            if (_closed)
            {
                // Close released the broken producer: it was still the current one.
                return;
            }
            try
            {
                _current = Build();
            }
            catch (Exception e)
            {
                // The settings built a producer at start, so this is not expected; stay broken (and reported) rather
                // than let the failure vanish in a task nobody awaits.
                LogRebuildFailed(e, _state.Name);
                return;
            }
            _state = _state with { IsBroken = false, RebuildAt = null, Rebuilds = _state.Rebuilds + 1 };
        }
        LogRebuilt(_state.Name, _state.Rebuilds);
        // Messages the broken producer had in flight get their delivery reports within the message timeout; flushing
        // that long guarantees none is left without an outcome when it is released. Blocks: keep it off the pool.
        await Task.Factory.StartNew(() =>
        {
            try
            {
                broken.Flush(MessageTimeout + TimeSpan.FromSeconds(1));
                broken.Dispose();
            }
            catch (Exception e) when (e is KafkaException or ObjectDisposedException)
            {
                LogReleaseFailed(e, _state.Name);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kafka producer for {Producer}: {ErrorCode} {Reason}")]
    private partial void LogClientError(string producer, ErrorCode errorCode, string reason);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Kafka producer for {Producer} hit a fatal error and can no longer produce: {ErrorCode} {Reason}. It is replaced by a new producer in {RebuildDelay}; until then produces fail")]
    private partial void LogFatal(string producer, ErrorCode errorCode, string reason, TimeSpan rebuildDelay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka producer for {Producer} could not be rebuilt after a fatal error; it stays broken")]
    private partial void LogRebuildFailed(Exception exception, string producer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka producer for {Producer}: releasing the producer broken by a fatal error failed")]
    private partial void LogReleaseFailed(Exception exception, string producer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka producer for {Producer} rebuilt after a fatal error ({Rebuilds} rebuild(s) since start)")]
    private partial void LogRebuilt(string producer, int rebuilds);
}
