using Clickstream.Kafka.Backlog;
using Clickstream.Kafka.Configuration;
using Clickstream.Kafka.Consuming.Backpressure;
using Clickstream.Kafka.Consuming.Checkpoints;
using Clickstream.Kafka.Consuming.Dispatch;
using Clickstream.Kafka.Consuming.Faults;
using Clickstream.Kafka.Consuming.Lifecycle;
using Clickstream.Kafka.Telemetry;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Clickstream.Kafka.Consuming;

/// <summary>
/// Reads one topic in one consumer group on a thread of its own: the poll loop and the endpoint's lifecycle (start,
/// rebalances, stop; its bounds in <see cref="StopSignals"/>). What it reads goes to its parts:
/// <see cref="FetchThrottle"/> and <see cref="PartitionPause"/> (the in-flight limit, pause and resume),
/// <see cref="AssignedPartitions"/> and <see cref="CommitPolicy"/> (checkpoints and commits), <see cref="IMessageDispatch"/>
/// (to the MassTransit receive pipeline, keyed or in batches), <see cref="DeadLettering"/> and
/// <see cref="UnreadableMessages"/> (faults to the dead-letter topic).
/// </summary>
internal sealed class TopicEndpoint : IAsyncDisposable
{
    /// <summary>How long the in-flight limit may stay reached before fetching pauses: a stall, not a busy moment.</summary>
    internal static readonly TimeSpan StallBeforePause = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private readonly TopicEndpointSettings _settings;
    private readonly ConsumerConfig _config;
    private readonly TopicCreator _topics;
    private readonly Func<MessagesFinished, CancellationToken, IMessageDispatch> _createDispatch;
    private readonly DeadLetterProducer _deadLetters;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly LocalBacklog.TopicCounters _backlog;
    private readonly FetchThrottle _throttle;
    private readonly AssignedPartitions _partitions;
    private readonly CommitPolicy _commits;
    private readonly UnreadableMessages _unreadable;
    private readonly PartitionPause _pause;
    private readonly StopSignals _stop;
    private readonly EndpointMetrics _metrics;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IMessageDispatch? _dispatch;
    private Thread? _thread;
    private Task _completion = Task.CompletedTask;
    private long _sequence;
    private bool _stopDrained;

    /// <param name="createDispatch">Makes the endpoint's dispatch (single messages or batches) once the loop runs.</param>
    /// <param name="metrics">The endpoint's instruments; its gauges are observed until the endpoint is disposed.</param>
    public TopicEndpoint(TopicEndpointSettings settings, ConsumerConfig config, TopicCreator topics, int inFlightLimit,
        Func<MessagesFinished, CancellationToken, IMessageDispatch> createDispatch, DeadLetterProducer deadLetters, TimeProvider clock, ILogger logger,
        EndpointMetrics metrics)
    {
        _settings = settings;
        _config = config;
        _topics = topics;
        _createDispatch = createDispatch;
        _deadLetters = deadLetters;
        _clock = clock;
        _logger = logger;
        _backlog = LocalBacklog.For(config.BootstrapServers ?? "", settings.Topic);
        _throttle = new FetchThrottle(inFlightLimit, StallBeforePause, clock);
        _metrics = metrics;
        _partitions = new AssignedPartitions(clock, metrics);
        _commits = new CommitPolicy(settings.CheckpointMessageCount, settings.CheckpointInterval, clock);
        _pause = new PartitionPause(logger, Name);
        _stop = new StopSignals(settings.DrainTimeout, clock);
        _unreadable = new UnreadableMessages(_partitions, _throttle, NewContext, Finish, _stop.Abort);
        _metrics.Observe(new EndpointGauges(() => _throttle.InFlight, () => _pause.Partitions.Count, _partitions));
    }

    public string Name => $"{_settings.Topic}/{_settings.GroupId}";

    /// <summary>Completes when the endpoint has joined its group and received its first assignment.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Partitions currently assigned to this endpoint.</summary>
    public IReadOnlyCollection<TopicPartition> Assignment => _partitions.Partitions;

    /// <summary>Partitions whose fetching is paused for back-pressure.</summary>
    public IReadOnlyList<int> PausedPartitions => _pause.Partitions;

    /// <summary>Partitions with lag whose commits have not moved for <see cref="TopicEndpointSettings.StallAfter"/>.</summary>
    public IReadOnlyList<StalledPartition> StalledPartitions => _partitions.Stalled(_settings.StallAfter);

    public TimeSpan StallAfter => _settings.StallAfter;

    public bool IsRunning => _thread is { IsAlive: true };

    /// <summary>Messages received and not finished yet (collected into a batch, being consumed, or being dead-lettered).</summary>
    public int InFlight => _throttle.InFlight;

    public void Start()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _completion = done.Task;
        _thread = new Thread(() =>
        {
            try
            {
                Run();
                done.TrySetResult();
            }
            catch (Exception e)
            {
                ConsumingLog.Crashed(_logger, e, Name);
                done.TrySetException(e);
            }
        })
        {
            Name = $"kafka:{Name}",
            IsBackground = true,
        };
        _thread.Start();
    }

    /// <summary>
    /// Graceful stop: stop fetching, let in-flight messages finish, commit, leave the group; all of it within one
    /// DrainTimeout. A canceled <paramref name="cancellationToken"/> (the host's shutdown timeout ran out) aborts
    /// instead: in-flight work is canceled and nothing more is committed, as after a crash.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await using var registration = _stop.Request(cancellationToken);
        try
        {
            await _completion;
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "Topic endpoint {Endpoint} had already failed", Name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _metrics.Dispose();
        _deadLetters.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        _topics.EnsureExist([_settings]);
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(_config)
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((c, partitions) => OnRevoked(c, partitions.Select(p => p.TopicPartition).ToList()))
            .SetPartitionsLostHandler((_, partitions) => OnLost(partitions.Select(p => p.TopicPartition).ToList()))
            .SetErrorHandler((_, error) => OnClientError(error))
            .Build();

        consumer.Subscribe(_settings.Topic);
        ConsumingLog.Started(_logger, Name, _throttle.Limit, _settings.DeadLetterTopic);
        var dispatch = _dispatch = _createDispatch(Finish, _stop.Abort);

        while (!_stop.Stopping.IsCancellationRequested)
        {
            if (_throttle.IsFull)
            {
                // The batch being collected cannot grow: it goes out now rather than wait for its time limit.
                dispatch.Flush();
            }
            switch (_throttle.Next())
            {
                case FetchAction.Wait:
                    _throttle.WaitForCapacity(PollInterval, _stop.Stopping);
                    break;
                case FetchAction.Pause:
                    _pause.Set(consumer, paused: true);
                    Poll(consumer, dispatch);
                    break;
                case FetchAction.Resume:
                    _pause.Set(consumer, paused: false);
                    Poll(consumer, dispatch);
                    break;
                default:
                    Poll(consumer, dispatch);
                    break;
            }
            dispatch.CompleteIfDue();
            if (_commits.IsDue)
            {
                _partitions.ObserveEnds(consumer);
                _partitions.Commit(consumer, _partitions.Partitions, _logger, Name);
                _commits.Committed();
            }
        }
        Stop(consumer, dispatch);
    }

    private void Poll(IConsumer<byte[]?, byte[]?> consumer, IMessageDispatch dispatch)
    {
        ConsumeResult<byte[]?, byte[]?>? result = null;
        try
        {
            result = consumer.Consume(dispatch.NextWait(PollInterval));
        }
        catch (ConsumeException e)
        {
            OnConsumeError(e);
        }
        finally
        {
            // A rebalance runs inside Consume, and Confluent assigns the partitions after our handler returned.
            _pause.ApplyToNewAssignment(consumer, _throttle.IsPaused);
        }

        if (result is { IsPartitionEOF: false } && _partitions.TryGet(result.TopicPartition, out var checkpoint))
        {
            _backlog.Fetched(result.Partition.Value,
                LocalBacklog.SizeOf(result.Message.Key?.Length ?? 0, result.Message.Value?.Length ?? 0, result.Message.Headers));
            var entry = checkpoint.Track(result.Offset.Value);
            _throttle.Received();
            _metrics.Consumed(result.Partition.Value);
            dispatch.Add(NewContext(result), entry);
        }
    }

    private KafkaMessageContext NewContext(ConsumeResult<byte[]?, byte[]?> result) =>
        new(result, (ulong)Interlocked.Increment(ref _sequence), _deadLetters.SendAsync);

    private void OnConsumeError(ConsumeException e)
    {
        if (e.Error.IsFatal)
        {
            // The consumer can do nothing more: the endpoint stops, and readiness says so.
            throw new KafkaException(e.Error, e);
        }
        if (!_unreadable.TryAccountFor(e))
        {
            ConsumingLog.ConsumeError(_logger, e, Name, e.Error.Reason);
            return;
        }
        var record = e.ConsumerRecord!;
        ConsumingLog.Unreadable(_logger, e, Name, record.Topic, record.Partition.Value, record.Offset.Value, e.Error.Reason);
    }

    private void OnClientError(Error error)
    {
        if (error.IsFatal)
        {
            ConsumingLog.FatalError(_logger, Name, error.Reason);
        }
        else
        {
            ConsumingLog.ClientError(_logger, Name, error.Reason);
        }
    }

    /// <summary>
    /// Frees the in-flight places of finished messages. They complete (and may be committed) only when
    /// <paramref name="done"/>: consumed or dead-lettered.
    /// </summary>
    private void Finish(bool done, PartitionCheckpoint.Entry[] entries)
    {
        if (done)
        {
            foreach (var entry in entries)
            {
                entry.Complete();
            }
            _commits.Completed(entries.Length);
        }
        _throttle.Finished(entries.Length);
    }

    private void Stop(IConsumer<byte[]?, byte[]?> consumer, IMessageDispatch dispatch)
    {
        if (!_stop.IsAborted)
        {
            dispatch.Flush();
            var all = _partitions.Partitions;
            Drain(all);
            if (!_stop.IsAborted)
            {
                _partitions.Commit(consumer, all, _logger, Name);
            }
        }
        // The stop drained and committed: the revocation that Close brings must not wait a second drain timeout.
        _stopDrained = true;
        var aborted = _stop.IsAborted;
        if (!aborted)
        {
            consumer.Close();
        }
        // Whatever did not finish within the drain timeout is abandoned: it was not committed, so it is delivered again.
        _stop.AbortNow();
        dispatch.WaitForWorkers(_stop.TimeLeft, _stop.HostGaveUp);
        ConsumingLog.Stopped(_logger, Name, aborted ? "aborted, no final commit" : "completed work committed");
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        _partitions.Assign(partitions);
        _pause.AssignmentChanged();
        ConsumingLog.Assigned(_logger, Name, string.Join(", ", partitions.Select(p => p.Partition.Value)));
        _ready.TrySetResult();
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        if (!_stop.IsAborted)
        {
            if (!_stopDrained)
            {
                // The batch being collected may hold messages of these partitions: it goes out now, to be drained with them.
                _dispatch?.Flush();
                Drain(partitions);
            }
            if (!_stop.IsAborted)
            {
                _partitions.Commit(consumer, partitions, _logger, Name);
                _commits.Reset();
            }
        }
        _partitions.Remove(partitions);
        ConsumingLog.Revoked(_logger, Name, string.Join(", ", partitions.Select(p => p.Partition.Value)));
    }

    private void OnLost(List<TopicPartition> partitions)
    {
        // Another member owns them already: committing now could move its offsets backwards.
        _partitions.Remove(partitions);
        ConsumingLog.Lost(_logger, Name, string.Join(", ", partitions.Select(p => p.Partition.Value)));
    }

    /// <summary>
    /// Waits for the in-flight work of <paramref name="partitions"/>, at most DrainTimeout and never past the stop's
    /// bound or an abort. Runs on the poll thread inside a rebalance callback or at stop, where blocking is the point:
    /// the partitions must not change hands before their finished work is committed.
    /// </summary>
    private void Drain(IReadOnlyCollection<TopicPartition> partitions)
    {
        var drained = _partitions.DrainAsync(partitions);
        try
        {
            if (drained.Wait(_settings.DrainTimeout, _stop.DrainCanceled))
            {
                return;
            }
        }
        catch (OperationCanceledException)
        {
            // The stop's bound passed, or the host aborted.
        }
        ConsumingLog.DrainTimedOut(_logger, Name, _settings.DrainTimeout);
    }
}
