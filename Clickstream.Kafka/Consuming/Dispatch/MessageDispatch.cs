using System.Collections.Concurrent;
using Clickstream.Kafka.Consuming.Checkpoints;
using Clickstream.Kafka.Consuming.Faults;
using MassTransit.Transports;

namespace Clickstream.Kafka.Consuming.Dispatch;

/// <summary>
/// Runs each message through the receive pipeline on its own, in parallel; with <c>orderByKey</c> the messages of one
/// key run one after the other, in partition order. A message that fails the contract check, or whose consumer still
/// faults after its retries, is dead-lettered.
/// </summary>
internal sealed class MessageDispatch(IReceiveEndpointDispatcher dispatcher, MessageGate gate, bool orderByKey, MessagesFinished finished,
    CancellationToken abort) : IMessageDispatch
{
    private readonly ConcurrentDictionary<string, Task> _keyTails = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _running = new();

    public void Add(KafkaMessageContext message, PartitionCheckpoint.Entry entry)
    {
        Task<bool> work;
        if (orderByKey && message.Key is { } key)
        {
            var previous = _keyTails.GetValueOrDefault(key) ?? Task.CompletedTask;
            work = previous.ContinueWith(_ => ProcessAsync(message), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            _keyTails[key] = work;
            work.ContinueWith(t => _keyTails.TryRemove(new KeyValuePair<string, Task>(key, t)), TaskScheduler.Default);
        }
        else
        {
            work = ProcessAsync(message);
        }
        _running[work] = true;
        work.ContinueWith(t =>
        {
            _running.TryRemove(t, out _);
            finished(t.IsCompletedSuccessfully && t.Result, [entry]);
        }, TaskScheduler.Default);
    }

    public TimeSpan NextWait(TimeSpan longest) => longest;

    public void CompleteIfDue()
    {
    }

    public void Flush()
    {
    }

    public bool WaitForWorkers(TimeSpan timeout, CancellationToken cancellationToken) =>
        Workers.WaitAll([.. _running.Keys], timeout, cancellationToken);

    private async Task<bool> ProcessAsync(KafkaMessageContext message)
    {
        try
        {
            var problem = gate.Check(message.Result.Message, out var value, out var reason);
            message.Value = value;
            if (problem is not null)
            {
                await DeadLettering.RejectAsync([new Rejection(message, problem, reason)], abort);
                return true;
            }
            await dispatcher.Dispatch(message.Result.Message.Value!, MessageGate.Headers(message.Result.Message), abort, message);
            return true;
        }
        catch (Exception) when (abort.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e)
        {
            // The consumer faulted after its retries (or no consumer took the message): never drop it silently.
            return await DeadLettering.FaultedAsync([message], e, abort);
        }
    }
}
