using System.Diagnostics;
using Clickstream.Consumers.Storage;
using Clickstream.Contracts;
using Clickstream.Kafka.Consuming;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Clickstream.Consumers.Consuming;

/// <summary>
/// Stores each batch of click events and dead-letters the events the database refuses for good. It returns only when
/// every event of the batch is stored or dead-lettered, since the rider commits offsets then; it throws only when the
/// worker stops mid-batch (the batch is then redelivered, and the store absorbs what was already written). Each batch is
/// measured once (<see cref="StoreMetrics"/>).
/// </summary>
public sealed class ClickEventBatchConsumer(IClickEventStore store, StoreMetrics metrics, ILogger<ClickEventBatchConsumer> logger)
    : IConsumer<Batch<ClickEvent>>
{
    private static readonly DeadLetterReason RejectedByDatabase = new("rejected_by_database");

    public async Task Consume(ConsumeContext<Batch<ClickEvent>> context)
    {
        var started = Stopwatch.GetTimestamp();
        var batch = context.Message;
        var events = new ClickEvent[batch.Length];
        for (var i = 0; i < batch.Length; i++)
        {
            events[i] = batch[i].Message;
        }

        StoreOutcome outcome;
        try
        {
            outcome = await store.WriteAsync(events, context.CancellationToken);
        }
        catch
        {
            metrics.Failed(events.Length, started);
            throw;
        }
        metrics.Stored(events.Length, outcome, started);
        foreach (var rejected in outcome.Rejected)
        {
            await DeadLetterAsync(batch[rejected.Index], rejected, context.CancellationToken);
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            ConsumerLog.BatchStored(logger, batch.Length, outcome.Inserted, outcome.Duplicates, outcome.Rejected.Count,
                Partitions(batch), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static Task DeadLetterAsync(ConsumeContext<ClickEvent> message, RejectedEvent rejected, CancellationToken cancellationToken)
    {
        // Outside Kafka (an in-memory bus) there is no dead-letter topic: fault the batch rather than drop the event.
        if (!message.TryGetKafka(out var kafka) || kafka is null)
        {
            throw new InvalidOperationException($"Event {rejected.Event.EventId} was rejected by the database ({rejected.Reason}) "
                + "and did not come from a Kafka topic endpoint, so it cannot be dead-lettered.", rejected.Exception);
        }
        return kafka.DeadLetterAsync(RejectedByDatabase, $"Rejected by the database: {rejected.Reason}", rejected.Exception, cancellationToken);
    }

    private static string Partitions(Batch<ClickEvent> batch)
    {
        var partitions = new SortedSet<int>();
        var last = -1;
        foreach (var message in batch)
        {
            // A batch holds runs of one partition's messages: a set lookup per run, not per message.
            if (message.TryGetKafka(out var kafka) && kafka is not null && kafka.Partition != last)
            {
                last = kafka.Partition;
                partitions.Add(last);
            }
        }
        return string.Join(",", partitions);
    }
}
