using System.Diagnostics;
using Clickstream.Kafka.Backlog;
using Clickstream.Kafka.Telemetry;
using Confluent.Kafka;

namespace Clickstream.Kafka.Producing;

/// <summary>
/// The outcome of messages handed to librdkafka together: completes when every one has a delivery report, faulted
/// with the first failure if any failed. One task per call instead of one per message (a batch of 100 events used to
/// cost 100 tasks, state machines and a WhenAll). The call's outcome is recorded once, when the last report arrived
/// (<see cref="TopicSendMetrics"/>): messages refused before they were queued count as failed, canceled ones not at all.
/// </summary>
internal sealed class PendingDeliveries(int count, LocalBacklog.TopicCounters backlog, TopicSendMetrics metrics)
{
    private readonly TaskCompletionSource _completion = Completion(count);
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly int _count = count;
    private int _pending = count;
    private int _failed;
    private int _canceled;
    private Exception? _failure;

    public Task Task => _completion.Task;

    /// <summary>Hands one message to the producer; its outcome arrives on librdkafka's poll thread.</summary>
    public void Produce(IProducer<string?, byte[]> producer, string topic, Message<string?, byte[]> message, CancellationToken cancellationToken)
    {
        var size = LocalBacklog.SizeOf(message.Key is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(message.Key), message.Value.Length, message.Headers);
        if (cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _canceled);
            Done(new OperationCanceledException(cancellationToken));
            return;
        }
        backlog.Producing(size);
        try
        {
            producer.Produce(topic, message, report =>
            {
                if (report.Error.IsError)
                {
                    backlog.NotProduced(size);
                    Done(new ProduceException<string?, byte[]>(report.Error, report));
                }
                else
                {
                    backlog.Produced(report.Partition.Value, size);
                    Done(null);
                }
            });
        }
        catch (ObjectDisposedException)
        {
            // The producer was replaced after a fatal error between the caller reading it and this call.
            backlog.NotProduced(size);
            Done(new KafkaException(new Error(ErrorCode.Local_Fatal, "The Kafka producer was replaced after a fatal error; try again.")));
        }
        catch (Exception e)
        {
            // Refused before queueing (queue full, message too large): it will get no delivery report.
            backlog.NotProduced(size);
            Done(e);
        }
    }

    private static TaskCompletionSource Completion(int count)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (count == 0)
        {
            completion.TrySetResult();
        }
        return completion;
    }

    private void Done(Exception? failure)
    {
        if (failure is not null)
        {
            Interlocked.CompareExchange(ref _failure, failure, null);
            if (failure is not OperationCanceledException)
            {
                Interlocked.Increment(ref _failed);
            }
        }
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            var failed = Volatile.Read(ref _failed);
            metrics.Record(_count - failed - Volatile.Read(ref _canceled), failed, _failure, _started);
            if (_failure is { } first)
            {
                _completion.TrySetException(first);
            }
            else
            {
                _completion.TrySetResult();
            }
        }
    }
}
