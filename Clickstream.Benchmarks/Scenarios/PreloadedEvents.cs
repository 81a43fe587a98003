using System.Globalization;
using System.Text.Json;
using Clickstream.Benchmarks.Ceilings;
using Clickstream.Benchmarks.Load;
using Clickstream.Contracts;
using Confluent.Kafka;

namespace Clickstream.Benchmarks.Scenarios;

/// <summary>
/// The drain's input: K events written to raw_events by a plain producer before any consumer runs, and the same
/// events as objects for the storage ceiling's COPY (same rows, same table).
/// </summary>
public static class PreloadedEvents
{
    public static async Task<List<ClickEvent>> ProduceAsync(string bootstrapServers, int count, int lingerMs, CancellationToken cancellationToken)
    {
        var payloads = Enumerable.Range(0, 64).Select(ClickEventPayloads.Single).ToArray();
        var events = new List<ClickEvent>(count);
        using var producer = new ProducerBuilder<string, byte[]>(PlainProducerConfig.Create(bootstrapServers, Math.Max(lingerMs, 5))).Build();
        long failed = 0;
        await Task.Run(() =>
        {
            for (var i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
            {
                var value = payloads[i % payloads.Length].Render();
                var clickEvent = JsonSerializer.Deserialize<ClickEvent>(value)!;
                events.Add(clickEvent);
                var message = new Message<string, byte[]> { Key = clickEvent.UserId.ToString(CultureInfo.InvariantCulture), Value = value };
                while (true)
                {
                    try
                    {
                        producer.Produce(Topics.RawEvents, message, r => { if (r.Error.IsError) { Interlocked.Increment(ref failed); } });
                        break;
                    }
                    catch (ProduceException<string, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(10));
                    }
                }
            }
            producer.Flush(TimeSpan.FromSeconds(60));
        }, CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        return failed == 0 ? events : throw new InvalidOperationException($"{failed} of {count} preloaded events were not acknowledged by the broker.");
    }
}
