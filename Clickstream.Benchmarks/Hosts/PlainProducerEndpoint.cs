using System.Globalization;
using System.Text.Json;
using Clickstream.Benchmarks.Ceilings;
using Clickstream.Contracts;
using Confluent.Kafka;

namespace Clickstream.Benchmarks.Hosts;

/// <summary>
/// The acknowledged-ingestion ceiling: the parse-only endpoint plus a plain Confluent producer (the same settings the
/// rider's producer gets: acks=all, idempotence, the run's linger) awaiting the broker's ack before answering 202.
/// The gap between it and the API is what validation, MassTransit and the API's middleware cost.
/// </summary>
public static class PlainProducerEndpoint
{
    public static async Task<LoopbackWebHost> StartAsync(string bootstrapServers, int lingerMs, CancellationToken cancellationToken)
    {
        var builder = LoopbackWebHost.CreateBuilder(new Dictionary<string, string?>());
        builder.Services.AddSingleton(_ => new ProducerBuilder<string, byte[]>(PlainProducerConfig.Create(bootstrapServers, lingerMs)).Build());
        var app = builder.Build();
        app.Lifetime.ApplicationStopped.Register(() => app.Services.GetRequiredService<IProducer<string, byte[]>>().Flush(TimeSpan.FromSeconds(5)));

        app.MapPost("/events", async (HttpRequest request, IProducer<string, byte[]> producer, CancellationToken ct) =>
        {
            var clickEvent = await JsonSerializer.DeserializeAsync<ClickEvent>(request.Body, cancellationToken: ct);
            await producer.ProduceAsync(Topics.RawEvents, ToMessage(clickEvent!), ct);
            return Results.Accepted(value: new { event_id = clickEvent!.EventId });
        });
        app.MapPost("/events/batch", async (HttpRequest request, IProducer<string, byte[]> producer, CancellationToken ct) =>
        {
            var events = await JsonSerializer.DeserializeAsync<List<ClickEvent>>(request.Body, cancellationToken: ct);
            await Task.WhenAll(events!.Select(e => producer.ProduceAsync(Topics.RawEvents, ToMessage(e), ct)));
            return Results.Accepted(value: new { accepted = events!.Count });
        });
        return await LoopbackWebHost.StartAsync(app, cancellationToken);
    }

    // The same work the API does to the event before producing: stamp received_at, write plain JSON keyed by user id.
    private static Message<string, byte[]> ToMessage(ClickEvent clickEvent) => new()
    {
        Key = clickEvent.UserId.ToString(CultureInfo.InvariantCulture),
        Value = JsonSerializer.SerializeToUtf8Bytes(clickEvent with { ReceivedAt = DateTimeOffset.UtcNow }),
    };
}
