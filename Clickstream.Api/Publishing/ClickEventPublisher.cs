using Clickstream.Api.Configuration;
using Clickstream.Api.Health;
using Clickstream.Contracts;
using Clickstream.Kafka;
using Clickstream.Kafka.Producing;
using Clickstream.Kafka.Serialization;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Publishing;

/// <summary>
/// Publishes accepted events through the rider's shared producer and waits, within a bound, for the broker's
/// acknowledgement. Every request shares the one producer: librdkafka batches concurrent requests (linger),
/// so no request pays a round trip of its own.
/// </summary>
internal sealed partial class ClickEventPublisher(ITopicProducer<ClickEvent> producer, IKafkaRider rider, ConsumerLagGuard lagGuard,
    ClusterReachability reachability, IOptions<PublishOptions> options, TimeProvider time, ILogger<ClickEventPublisher> logger)
{
    public async Task<PublishOutcome> PublishAsync(IReadOnlyList<ClickEvent> events, CancellationToken cancellationToken)
    {
        var timeout = options.Value.Timeout;
        var admission = ConsumerLagGuard.LagAdmission.Unbounded;
        byte[][]? values = null;
        if (lagGuard.IsOn)
        {
            // Serialized here, for their size, and sent as they are.
            values = new byte[events.Count][];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = WireJson.Serialize(events[i]);
            }
            admission = await lagGuard.AdmitAsync(SizeOnTheBroker(values), () => rider.GetUnfetchedBytes(producer.Topic), timeout, cancellationToken);
            if (admission.Refusal is { } behind)
            {
                return PublishOutcome.Behind(behind, ConsumerLagGuard.RetryAfter);
            }
        }
        Task delivery;
        try
        {
            delivery = values is not null ? producer.ProduceManyAsync(events, values, cancellationToken)
                : events.Count == 1 ? producer.ProduceAsync(events[0], cancellationToken: cancellationToken)
                : producer.ProduceManyAsync(events, cancellationToken);
        }
        catch
        {
            admission.Release();
            throw;
        }
        // The room the lag bound holds for these events is kept until librdkafka has an outcome for every one of them
        // (then they are counted as produced, or not at all), also past this request's own wait.
        if (!ReferenceEquals(admission, ConsumerLagGuard.LagAdmission.Unbounded))
        {
            _ = delivery.ContinueWith(static (_, state) => ((ConsumerLagGuard.LagAdmission)state!).Release(), admission,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        try
        {
            // The producer's token only stops a message from being queued; once queued, only this bound ends the wait.
            await delivery.WaitAsync(timeout, time, cancellationToken);
            return PublishOutcome.Acked;
        }
        catch (TimeoutException)
        {
            // The delivery still completes later (message.timeout.ms); observe it so its failure is not unobserved.
            _ = delivery.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            LogNotAcknowledged(events.Count, timeout);
            return PublishOutcome.Unavailable($"Kafka did not acknowledge the event(s) within {timeout.TotalSeconds:0.###} s.", TimedOut());
        }
        catch (KafkaException e)
        {
            // Some events of a batch may have been written: the client retries all of them, and the store keeps
            // one row per event_id.
            LogNotDelivered(events.Count, e.Error.Code, e.Error.Reason);
            return PublishOutcome.Unavailable(e.Error.Code == ErrorCode.Local_QueueFull
                ? "The API's Kafka producer queue is full."
                : "Kafka could not take the event(s) now.", CauseOf(e.Error.Code));
        }
    }

    // A wait that ran out is the cluster's absence when the readiness probe cannot reach it either, else a slow ack.
    private UnavailableCause TimedOut() =>
        reachability.Last.Reachable ? UnavailableCause.PublishTimeout : UnavailableCause.BrokerUnreachable;

    private UnavailableCause CauseOf(ErrorCode code) => code switch
    {
        ErrorCode.Local_QueueFull => UnavailableCause.QueueFull,
        ErrorCode.Local_MsgTimedOut or ErrorCode.Local_TimedOut or ErrorCode.RequestTimedOut => TimedOut(),
        ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.NetworkException or ErrorCode.LeaderNotAvailable
            or ErrorCode.NotLeaderForPartition or ErrorCode.Local_UnknownPartition or ErrorCode.BrokerNotAvailable => UnavailableCause.BrokerUnreachable,
        _ => UnavailableCause.ProducerFailed,
    };

    // What the events take on a partition, as the rider's backlog counts them: key, JSON value, the Content-Type header
    // and a record's framing.
    private static long SizeOnTheBroker(byte[][] values)
    {
        const int RecordOverhead = 70;
        const int ContentTypeHeader = 40;
        // While a trace is recorded each message also carries traceparent (11 + 55 bytes, and its header overhead).
        var traceHeader = System.Diagnostics.Activity.Current is null ? 0 : 80;
        long size = 0;
        foreach (var value in values)
        {
            size += RecordOverhead + ContentTypeHeader + traceHeader + 20 + value.Length;
        }
        return size;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka did not acknowledge {Count} event(s) within {Timeout}; answered 503")]
    private partial void LogNotAcknowledged(int count, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka refused {Count} event(s): {ErrorCode} {Reason}; answered 503")]
    private partial void LogNotDelivered(int count, ErrorCode errorCode, string reason);
}
