using System.Threading.Channels;
using Clickstream.Kafka.Consuming.Checkpoints;
using Clickstream.Kafka.Consuming.Faults;
using Clickstream.Kafka.Telemetry;
using MassTransit;
using MassTransit.Transports;

namespace Clickstream.Kafka.Consuming.Dispatch;

/// <summary>
/// For a batch consumer: the poll thread only collects (<see cref="BatchBuffer"/>); complete batches queue up in order
/// for <see cref="BatchOptions.ConcurrencyLimit"/> workers, which run the contract check and send each batch through
/// the receive pipeline once. Messages that fail the check are dead-lettered and the rest consumed; when the consumer
/// still faults after its retries, or anything else throws, every message of the batch is dead-lettered, each once.
/// Each batch runs inside its own span (<see cref="BatchActivity"/>) when something listens.
/// </summary>
internal sealed class BatchDispatch : IMessageDispatch
{
    private readonly BatchBuffer _buffer;
    private readonly MessageGate _gate;
    private readonly IReceiveEndpointDispatcher _dispatcher;
    private readonly MessagesFinished _finished;
    private readonly CancellationToken _abort;
    private readonly BatchActivity? _spans;
    private readonly Channel<CollectedBatch> _complete = Channel.CreateUnbounded<CollectedBatch>(new() { SingleWriter = true });
    private readonly Task[] _workers;

    public BatchDispatch(BatchOptions options, MessageGate gate, IReceiveEndpointDispatcher dispatcher, MessagesFinished finished, TimeProvider clock,
        CancellationToken abort, BatchActivity? spans = null)
    {
        _spans = spans;
        _buffer = new BatchBuffer(options, BatchContextFactory.For(gate.MessageType), batch => _complete.Writer.TryWrite(batch), clock);
        _gate = gate;
        _dispatcher = dispatcher;
        _finished = finished;
        _abort = abort;
        // Off the poll thread: the receive pipeline and the consumer run while the next batch is collected.
        _workers = Enumerable.Range(0, options.ConcurrencyLimit).Select(_ => Task.Run(ConsumeBatchesAsync)).ToArray();
    }

    public void Add(KafkaMessageContext message, PartitionCheckpoint.Entry entry) => _buffer.Add(message, entry);

    public TimeSpan NextWait(TimeSpan longest) => _buffer.NextWait(longest);

    public void CompleteIfDue() => _buffer.CompleteIfDue();

    public void Flush() => _buffer.Complete(BatchCompletionMode.Forced);

    public bool WaitForWorkers(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _complete.Writer.TryComplete();
        return Workers.WaitAll(_workers, timeout, cancellationToken);
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
        await foreach (var batch in _complete.Reader.ReadAllAsync())
        {
            _finished(await ProcessAsync(batch), batch.Entries);
        }
    }

    internal async Task<bool> ProcessAsync(CollectedBatch batch)
    {
        var abort = _abort;
        if (abort.IsCancellationRequested)
        {
            return false; // abandoned, like every batch still queued when the endpoint aborts
        }
        // Everything below, the receive pipeline and the dead letters included, runs inside the batch's span.
        using var activity = _spans?.Start(batch.Received);
        IReadOnlyList<Rejection> rejected = [];
        Task? rejecting = null;
        try
        {
            rejected = batch.Check(_gate);
            rejecting = DeadLettering.RejectAsync(rejected, abort);
            if (batch.Accepted.Length > 0)
            {
                await _dispatcher.Dispatch([], BatchHeaders(), abort, batch);
            }
            await rejecting;
            return true;
        }
        catch (Exception) when (abort.IsCancellationRequested)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "The endpoint aborted: the batch is delivered again.");
            return false;
        }
        catch (Exception e)
        {
            KafkaActivities.Fail(activity, e);
            // Rejected messages are on their way already; every other message of the batch goes with the fault.
            var others = batch.Received.Except(rejected.Select(r => r.Message));
            return await DeadLettering.FaultedAsync(others, e, abort, rejecting);
        }
    }
}
