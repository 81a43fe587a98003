using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Clickstream.Kafka.Backlog;
using Clickstream.Kafka.Configuration;
using Confluent.Kafka;
using MassTransit;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;

namespace Clickstream.Kafka.Consuming;

/// <summary>
/// Reads one topic in one consumer group and runs its messages through a MassTransit receive endpoint
/// (<see cref="IReceiveEndpointDispatcher"/>): each message on its own, or, for a batch consumer, each batch the
/// endpoint collected (<see cref="BatchBuffer"/>) as one message. This loop owns what Kafka needs: bounded prefetch
/// (partitions pause at the in-flight limit), per-key order, dead-lettering, and commits of the contiguous completed
/// prefix of each partition, at intervals, on revocation and on stop.
/// </summary>
internal sealed class TopicEndpoint : IAsyncDisposable
{
    private readonly TopicEndpointSettings _settings;
    private readonly ConsumerConfig _config;
    private readonly TopicCreator _topics;
    private readonly IReceiveEndpointDispatcher _dispatcher;
    private readonly MessageGate _gate;
    private readonly DeadLetterProducer _deadLetters;
    private readonly bool _orderByKey;
    private readonly int _inFlightLimit;
    private readonly ILogger _logger;
    private readonly LocalBacklog.TopicCounters _backlog;
    private readonly ConcurrentDictionary<TopicPartition, PartitionCheckpoint> _partitions = new();
    private readonly ConcurrentDictionary<string, Task> _keyTails = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private static readonly TimeSpan StallBeforePause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private readonly BatchBuffer? _batches;
    private readonly Channel<CollectedBatch> _completedBatches = Channel.CreateUnbounded<CollectedBatch>(new() { SingleWriter = true });
    private Task[] _batchWorkers = [];
    private readonly ManualResetEventSlim _capacityFreed = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private Task _completion = Task.CompletedTask;
    private int _inFlight;
    private int _completedSinceCommit;
    private long _sequence;
    private bool _paused;

    /// <param name="batchOptions">Set when the endpoint's consumer is a batch consumer: the endpoint collects its batches.</param>
    public TopicEndpoint(TopicEndpointSettings settings, ConsumerConfig config, TopicCreator topics, IReceiveEndpointDispatcher dispatcher, MessageGate gate,
        DeadLetterProducer deadLetters, bool orderByKey, int inFlightLimit, ILogger logger, BatchOptions? batchOptions = null)
    {
        if (batchOptions is not null)
        {
            // Complete batches queue up in order for ConcurrencyLimit workers (bounded by the in-flight limit).
            _batches = new BatchBuffer(batchOptions, BatchContextFactory.For(gate.MessageType), batch => _completedBatches.Writer.TryWrite(batch));
        }
        _settings = settings;
        _config = config;
        _topics = topics;
        _dispatcher = dispatcher;
        _gate = gate;
        _deadLetters = deadLetters;
        _orderByKey = orderByKey;
        _inFlightLimit = inFlightLimit;
        _logger = logger;
        _backlog = LocalBacklog.For(config.BootstrapServers ?? "", settings.Topic);
    }

    public string Name => $"{_settings.Topic}/{_settings.GroupId}";

    /// <summary>Completes when the endpoint has joined its group and received its first assignment.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Partitions currently assigned to this endpoint.</summary>
    public IReadOnlyCollection<TopicPartition> Assignment => _partitions.Keys.ToList();

    public bool IsRunning => _thread is { IsAlive: true };

    /// <summary>Messages received and not finished yet (collected into a batch, being consumed, or being dead-lettered).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

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
                _logger.LogCritical(e, "Topic endpoint {Endpoint} stopped on an unexpected error", Name);
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
    /// Graceful stop: stop fetching, let in-flight messages finish (bounded by DrainTimeout), commit, leave the group.
    /// A canceled <paramref name="cancellationToken"/> aborts instead: in-flight work is canceled and nothing more is
    /// committed, as after a crash.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            await _abort.CancelAsync();
        }
        await using var registration = cancellationToken.Register(() => _abort.Cancel());
        await _stopping.CancelAsync();
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
        _deadLetters.Dispose();
        _stopping.Dispose();
        _abort.Dispose();
        _capacityFreed.Dispose();
    }

    private void Run()
    {
        _topics.EnsureExist([_settings]);
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(_config)
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((c, partitions) => OnRevoked(c, partitions.Select(p => p.TopicPartition).ToList()))
            .SetPartitionsLostHandler((_, partitions) => OnLost(partitions.Select(p => p.TopicPartition).ToList()))
            .SetErrorHandler((_, error) => _logger.Log(error.IsFatal ? LogLevel.Critical : LogLevel.Warning,
                "Kafka consumer of {Endpoint}: {Error}", Name, error.Reason))
            .Build();

        consumer.Subscribe(_settings.Topic);
        _logger.LogInformation("Topic endpoint {Endpoint} started (in-flight limit {InFlightLimit}, dead letters to {DeadLetterTopic})",
            Name, _inFlightLimit, _settings.DeadLetterTopic);
        if (_batches is not null)
        {
            // Off the poll thread: the receive pipeline and the consumer run while the next batch is collected.
            _batchWorkers = Enumerable.Range(0, _batches.Options.ConcurrencyLimit).Select(_ => Task.Run(ConsumeBatchesAsync)).ToArray();
            _logger.LogInformation("Topic endpoint {Endpoint} collects batches of up to {MessageLimit} messages or {TimeLimit}, {ConcurrencyLimit} at a time",
                Name, _batches.Options.MessageLimit, _batches.Options.TimeLimit, _batches.Options.ConcurrencyLimit);
        }

        var sinceCommit = Stopwatch.StartNew();
        while (!_stopping.IsCancellationRequested)
        {
            ApplyBackpressure(consumer);
            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                result = consumer.Consume(_batches?.NextWait(PollInterval) ?? PollInterval);
            }
            catch (ConsumeException e)
            {
                _logger.LogWarning(e, "Kafka consume error on {Endpoint}: {Error}", Name, e.Error.Reason);
                continue;
            }

            if (result is { IsPartitionEOF: false } && _partitions.TryGetValue(result.TopicPartition, out var checkpoint))
            {
                Receive(result, checkpoint);
            }
            _batches?.CompleteIfDue();

            if (Volatile.Read(ref _completedSinceCommit) >= _settings.CheckpointMessageCount || sinceCommit.Elapsed >= _settings.CheckpointInterval)
            {
                Commit(consumer, _partitions.Keys.ToList());
                sinceCommit.Restart();
            }
        }

        var aborted = _abort.IsCancellationRequested;
        if (!aborted)
        {
            _batches?.Complete(BatchCompletionMode.Forced);
            var all = _partitions.Keys.ToList();
            Drain(all);
            Commit(consumer, all);
            consumer.Close();
        }
        // Whatever did not finish within the drain timeout is abandoned: it was not committed, so it is delivered again.
        _abort.Cancel();
        _completedBatches.Writer.TryComplete();
        Task.WaitAll(_batchWorkers, _settings.DrainTimeout);
        _logger.LogInformation("Topic endpoint {Endpoint} stopped{How}", Name, aborted ? " (aborted, no final commit)" : " (completed work committed)");
    }

    private void ApplyBackpressure(IConsumer<byte[]?, byte[]?> consumer)
    {
        var inFlight = Volatile.Read(ref _inFlight);
        if (inFlight >= _inFlightLimit)
        {
            // The batch being collected cannot grow: it goes out now rather than wait for its time limit.
            _batches?.Complete(BatchCompletionMode.Forced);
        }
        if (!_paused && inFlight >= _inFlightLimit && !WaitForCapacity(StallBeforePause))
        {
            // A real stall (a slow or failing consumer): pause fetching so memory stays bounded, while Consume keeps
            // running for rebalances. Pausing costs a re-fetch on resume, so it is kept for stalls, not for every
            // moment the limit is reached.
            consumer.Pause(consumer.Assignment);
            _paused = true;
            _logger.LogInformation("Topic endpoint {Endpoint} paused fetching: {InFlight} messages in flight", Name, inFlight);
        }
        else if (_paused && inFlight <= _inFlightLimit / 2)
        {
            consumer.Resume(consumer.Assignment);
            _paused = false;
            _logger.LogInformation("Topic endpoint {Endpoint} resumed fetching", Name);
        }
    }

    private bool WaitForCapacity(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Volatile.Read(ref _inFlight) >= _inFlightLimit)
        {
            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0 || _stopping.IsCancellationRequested)
            {
                return false;
            }
            _capacityFreed.Reset();
            if (Volatile.Read(ref _inFlight) < _inFlightLimit)
            {
                break;
            }
            _capacityFreed.Wait(TimeSpan.FromMilliseconds(Math.Min(remaining, 100)));
        }
        return true;
    }

    private void Receive(ConsumeResult<byte[]?, byte[]?> result, PartitionCheckpoint checkpoint)
    {
        _backlog.Fetched(result.Partition.Value,
            LocalBacklog.SizeOf(result.Message.Key?.Length ?? 0, result.Message.Value?.Length ?? 0, result.Message.Headers));
        var entry = checkpoint.Track(result.Offset.Value);
        Interlocked.Increment(ref _inFlight);
        var message = new KafkaMessageContext(result, (ulong)Interlocked.Increment(ref _sequence), _deadLetters);
        if (_batches is not null)
        {
            // Only collected here: the contract check runs on the batch's worker, so this thread just reads Kafka.
            _batches.Add(message, entry);
            return;
        }

        Task<bool> work;
        if (_orderByKey && message.Key is { } key)
        {
            // Messages of one key run one after the other, in partition order.
            var previous = _keyTails.GetValueOrDefault(key) ?? Task.CompletedTask;
            work = previous.ContinueWith(_ => Process(message), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            _keyTails[key] = work;
            work.ContinueWith(t => _keyTails.TryRemove(new KeyValuePair<string, Task>(key, t)), TaskScheduler.Default);
        }
        else
        {
            work = Process(message);
        }

        work.ContinueWith(t => Finish(t.IsCompletedSuccessfully && t.Result, entry), TaskScheduler.Default);
    }

    /// <summary>
    /// Frees the in-flight places of finished messages. They complete (and may be committed) only when
    /// <paramref name="done"/>: consumed or dead-lettered.
    /// </summary>
    private void Finish(bool done, params ReadOnlySpan<PartitionCheckpoint.Entry> entries)
    {
        if (done)
        {
            foreach (var entry in entries)
            {
                entry.Complete();
            }
            Interlocked.Add(ref _completedSinceCommit, entries.Length);
        }
        Interlocked.Add(ref _inFlight, -entries.Length);
        _capacityFreed.Set();
    }

    /// <summary>
    /// A batch is a message the endpoint made: it gets a MessageId of its own, which MassTransit's logs, faults and test
    /// harness key on (plain Kafka messages carry none).
    /// </summary>
    private static Dictionary<string, object> BatchHeaders() => new(StringComparer.OrdinalIgnoreCase)
    {
        [MessageHeaders.ContentType] = Serialization.WireJson.ContentType,
        [MessageHeaders.MessageId] = NewId.NextGuid().ToString(),
    };

    private async Task ConsumeBatchesAsync()
    {
        await foreach (var batch in _completedBatches.Reader.ReadAllAsync())
        {
            Finish(await ProcessBatch(batch), batch.Entries);
        }
    }

    private async Task<bool> ProcessBatch(CollectedBatch batch)
    {
        var abort = _abort.Token;
        if (abort.IsCancellationRequested)
        {
            return false; // abandoned, like every batch still queued when the endpoint aborts
        }
        var rejected = Task.CompletedTask;
        try
        {
            // Messages that fail the contract check leave the batch for the dead-letter topic; the rest are consumed.
            rejected = Task.WhenAll(batch.Check(_gate).Select(r => r.Message.DeadLetterAsync(r.Problem, null, abort)));
            if (batch.Messages.Length > 0)
            {
                await _dispatcher.Dispatch([], BatchHeaders(), abort, batch);
            }
            await rejected;
            return true;
        }
        catch (Exception) when (abort.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e)
        {
            // The batch consumer faulted after its retries: every message of the batch goes to the dead-letter topic.
            try
            {
                await Task.WhenAll(batch.Messages.Select(m => m.DeadLetterAsync($"Consumer faulted: {e.Message}", e, abort)).Append(rejected));
                return true;
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    private async Task<bool> Process(KafkaMessageContext message)
    {
        var abort = _abort.Token;
        try
        {
            var problem = _gate.Check(message.Result.Message, out var value);
            message.Value = value;
            if (problem is not null)
            {
                await message.DeadLetterAsync(problem, null, abort);
                return true;
            }

            await _dispatcher.Dispatch(message.Result.Message.Value!, MessageGate.Headers(message.Result.Message), abort, message);
            return true;
        }
        catch (Exception) when (abort.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e)
        {
            // The consumer faulted after its retries (or no consumer took the message): never drop it silently.
            try
            {
                await message.DeadLetterAsync($"Consumer faulted: {e.Message}", e, abort);
                return true;
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _partitions[partition] = new PartitionCheckpoint();
        }
        _paused = false;
        _logger.LogInformation("Topic endpoint {Endpoint} assigned {Partitions}", Name, string.Join(", ", partitions.Select(p => p.Partition.Value)));
        _ready.TrySetResult();
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        if (!_abort.IsCancellationRequested)
        {
            // The batch being collected may hold messages of these partitions: it goes out now, to be drained with them.
            _batches?.Complete(BatchCompletionMode.Forced);
            Drain(partitions);
            Commit(consumer, partitions);
        }
        foreach (var partition in partitions)
        {
            _partitions.TryRemove(partition, out _);
        }
        _logger.LogInformation("Topic endpoint {Endpoint} revoked {Partitions}", Name, string.Join(", ", partitions.Select(p => p.Partition.Value)));
    }

    private void OnLost(List<TopicPartition> partitions)
    {
        // Another member owns them already: committing now could move its offsets backwards.
        foreach (var partition in partitions)
        {
            _partitions.TryRemove(partition, out _);
        }
        _logger.LogWarning("Topic endpoint {Endpoint} lost {Partitions}; uncommitted messages will be delivered again",
            Name, string.Join(", ", partitions.Select(p => p.Partition.Value)));
    }

    private void Drain(IReadOnlyCollection<TopicPartition> partitions)
    {
        var drains = partitions.Select(p => _partitions.TryGetValue(p, out var c) ? c.DrainAsync() : Task.CompletedTask).ToArray();
        // Runs on the poll thread inside a rebalance callback or at stop, where blocking is the point: the
        // partitions must not change hands before their finished work is committed.
        if (!Task.WaitAll(drains, _settings.DrainTimeout))
        {
            _logger.LogWarning("Topic endpoint {Endpoint}: in-flight messages did not finish within {DrainTimeout}; they will be delivered again",
                Name, _settings.DrainTimeout);
        }
    }

    private void Commit(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyCollection<TopicPartition> partitions)
    {
        var offsets = new List<TopicPartitionOffset>();
        foreach (var partition in partitions)
        {
            if (_partitions.TryGetValue(partition, out var checkpoint) && checkpoint.TakeCommittable() is { } offset)
            {
                offsets.Add(new TopicPartitionOffset(partition, offset));
            }
        }
        Interlocked.Exchange(ref _completedSinceCommit, 0);
        if (offsets.Count == 0)
        {
            return;
        }
        try
        {
            consumer.Commit(offsets);
            foreach (var offset in offsets)
            {
                if (_partitions.TryGetValue(offset.TopicPartition, out var checkpoint))
                {
                    checkpoint.Committed(offset.Offset.Value);
                }
            }
        }
        catch (KafkaException e)
        {
            // Kept for the next checkpoint; during a rebalance the new owner re-reads from the last commit.
            _logger.LogWarning("Commit of {Endpoint} failed: {Error}", Name, e.Error.Reason);
        }
    }
}
