using System.Diagnostics;
using System.Globalization;
using Clickstream.Benchmarks.Load;
using Clickstream.Contracts;
using Confluent.Kafka;

namespace Clickstream.Benchmarks.Ceilings;

/// <summary>
/// The broker ceiling: a plain Confluent producer with the run's settings, no HTTP, producing as fast as librdkafka
/// accepts (no per-message await) for a bounded time. Acknowledged messages per second, the most any API could get
/// through this broker on this machine.
/// </summary>
public static class BrokerCeiling
{
    public static async Task<BrokerCeilingResult> RunAsync(
        string bootstrapServers, int lingerMs, ClickEventPayloads payloads, TimeSpan duration, Progress progress, CancellationToken cancellationToken)
    {
        using var producer = new ProducerBuilder<string, byte[]>(PlainProducerConfig.Create(bootstrapServers, lingerMs)).Build();
        long acked = 0, failed = 0, produced = 0;
        var clock = Stopwatch.StartNew();
        progress.Report(() => string.Create(CultureInfo.InvariantCulture,
            $"{clock.Elapsed.TotalSeconds,5:F1}s  acked {Interlocked.Read(ref acked),11:N0}  {Interlocked.Read(ref acked) / Math.Max(clock.Elapsed.TotalSeconds, 0.001),10:N0} msg/s"));

        void OnDelivery(DeliveryReport<string, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failed);
            }
            else
            {
                Interlocked.Increment(ref acked);
            }
        }

        await Task.Run(() =>
        {
            var index = 0;
            while (clock.Elapsed < duration && !cancellationToken.IsCancellationRequested)
            {
                var message = new Message<string, byte[]> { Key = (1 + (index++ % 10_000)).ToString(CultureInfo.InvariantCulture), Value = payloads.Render() };
                try
                {
                    producer.Produce(Topics.RawEvents, message, OnDelivery);
                    produced++;
                }
                catch (ProduceException<string, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10)); // the queue is full: let deliveries drain it
                }
            }
            producer.Flush(TimeSpan.FromSeconds(30));
        }, CancellationToken.None);
        var elapsed = clock.Elapsed;
        progress.Clear();
        return new BrokerCeilingResult(produced, acked, failed, elapsed);
    }
}

public sealed record BrokerCeilingResult(long Produced, long Acked, long Failed, TimeSpan Elapsed)
{
    /// <summary>Acknowledged messages per second, flush included.</summary>
    public double MessagesPerSecond => Acked / Elapsed.TotalSeconds;
}
