using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Serialization;
using Clickstream.Tests.Api;
using Clickstream.Tests.Consumers;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Kafka;
using Clickstream.Tests.Support;
using Confluent.Kafka;
using Npgsql;

namespace Clickstream.Tests.Telemetry;

/// <summary>
/// One event's trace through the real parts: the API in memory, the embedded broker over TCP, the worker's consumers
/// and PostgreSQL, with an OpenTelemetry tracer provider subscribed to the sources the hosts subscribe to.
/// </summary>
public sealed class EventTraceTests
{
    private const string BatchSpan = "process " + Topics.RawEvents;

    [Fact]
    public async Task An_event_posted_over_http_is_traced_through_its_produce_and_its_batch_to_the_copy_that_stored_it()
    {
        using var spans = new RecordedSpans();
        await using var broker = StartBroker();
        var database = await TestPostgres.CreateDatabaseAsync();
        using var consumers = await ConsumersHost.StartAsync(broker.BootstrapServers, database);
        await using var api = ApiHost.Create(broker.BootstrapServers, new Dictionary<string, string>());
        using var client = api.CreateClient();

        var sent = ApiRequests.Event();
        using (var response = await client.PostAsync("/events", ApiRequests.Json(sent)))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        // The message as any consumer sees it: a plain Confluent consumer reading the topic.
        var message = Assert.Single(KafkaTestClients.ReadAll(broker.BootstrapServers, Topics.RawEvents, 1));
        Assert.Equal(sent.EventId, JsonSerializer.Deserialize<ClickEvent>(message.Message.Value!, WireJson.Options)!.EventId);
        var traceParent = KafkaTestClients.Header(message, "traceparent");
        Assert.NotNull(traceParent);
        Assert.True(ActivityContext.TryParse(traceParent, null, out var carried), $"Not a W3C traceparent: {traceParent}");

        // The produce span is the one the header names, a child of the HTTP request's span, which is the root.
        var produce = await spans.WaitForAsync(() => spans.WithSpanId(carried.SpanId), "the produce span named by the message's traceparent");
        Assert.Equal(carried.TraceId, produce.TraceId);
        Assert.Equal("send " + Topics.RawEvents, produce.DisplayName);
        Assert.Equal(ActivityKind.Producer, produce.Kind);
        Assert.Equal("Clickstream.Kafka", produce.Source.Name);
        Assert.Equal("kafka", produce.GetTagItem("messaging.system"));
        Assert.Equal(Topics.RawEvents, produce.GetTagItem("messaging.destination.name"));
        Assert.Equal("send", produce.GetTagItem("messaging.operation.type"));
        Assert.Equal(message.Partition.Value.ToString(), produce.GetTagItem("messaging.destination.partition.id"));
        Assert.Equal(message.Offset.Value, produce.GetTagItem("messaging.kafka.offset"));
        Assert.True(carried.TraceFlags.HasFlag(ActivityTraceFlags.Recorded), "The message's context says sampled: the produce span was recorded.");

        var request = Assert.Single(spans.Ancestors(produce));
        Assert.Equal(produce.ParentSpanId, request.SpanId);
        Assert.Equal(produce.TraceId, request.TraceId);
        Assert.Equal("Microsoft.AspNetCore", request.Source.Name);
        Assert.Equal(ActivityKind.Server, request.Kind);
        // ASP.NET Core's own request activity (HTTP tags come from OpenTelemetry's ASP.NET Core instrumentation, when a host adds it).
        Assert.Equal("Microsoft.AspNetCore.Hosting.HttpRequestIn", request.OperationName);
        Assert.Equal(default, request.ParentSpanId);

        // The batch that stored it links to that produce span, and Npgsql's COPY ran inside the batch's span.
        await WaitForStoredAsync(database, 1);
        var batch = await spans.WaitForAsync(() => spans.All.FirstOrDefault(s => s.DisplayName == BatchSpan && s.Links.Any(l => l.Context.SpanId == produce.SpanId)),
            "a batch span linked to the produce span");
        Assert.Equal(ActivityKind.Consumer, batch.Kind);
        Assert.Equal("Clickstream.Kafka", batch.Source.Name);
        Assert.Equal("process", batch.GetTagItem("messaging.operation.type"));
        Assert.Equal(ConsumersHost.Group, batch.GetTagItem("messaging.consumer.group.name"));
        Assert.Equal(1, batch.GetTagItem("messaging.batch.message_count"));
        var link = Assert.Single(batch.Links);
        Assert.Equal(produce.TraceId, link.Context.TraceId);

        var copies = CopiesInto(spans, database);
        var copy = Assert.Single(copies, c => spans.Ancestors(c).Any(a => a.SpanId == batch.SpanId));
        Assert.Equal(batch.TraceId, copy.TraceId);
        Assert.Equal("Npgsql", copy.Source.Name);
        Assert.Contains("COPY events", (string?)copy.GetTagItem("db.query.text"));
        // Between them, MassTransit's own spans: its receive of the batch, and the consumer's processing of it.
        Assert.Equal(
            [("MassTransit", "process"), ("MassTransit", "receive"), ("Clickstream.Kafka", BatchSpan)],
            spans.Ancestors(copy).Select(a => (a.Source.Name, a.Source.Name == "MassTransit" ? a.DisplayName.Split(' ')[^1] : a.DisplayName)));
        Assert.Contains("ClickEventBatchConsumer", (string?)spans.Ancestors(copy).First().GetTagItem("messaging.masstransit.consumer_type"));

        await consumers.StopAsync();
    }

    [Fact]
    public async Task Messages_without_a_trace_context_or_with_a_malformed_one_are_stored_and_their_batch_links_only_to_the_valid_context()
    {
        using var spans = new RecordedSpans();
        await using var broker = StartBroker();
        var database = await TestPostgres.CreateDatabaseAsync();
        using var consumers = await ConsumersHost.StartAsync(broker.BootstrapServers, database);

        // As kcat or a Python producer would send them: no headers at all, a traceparent that is not one, and one that is.
        var valid = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var events = ClickEvents.Many(4, usersCount: 1);
        using (var producer = KafkaTestClients.Producer(broker.BootstrapServers))
        {
            await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents,
            [
                Plain(events[0]),
                Plain(events[1], ("traceparent", "00-not-a-trace-context")),
                Plain(events[2], ("traceparent", "00-00000000000000000000000000000000-0000000000000000-01")),
                Plain(events[3], ("traceparent", TraceParent(valid))),
            ]);
        }

        await WaitForStoredAsync(database, events.Count);
        // Every batch whose COPY wrote into this test's database, once all of them have ended.
        IReadOnlyList<Activity> batches = [];
        await Eventually.HoldsAsync(() =>
        {
            batches = CopiesInto(spans, database).Select(c => spans.Ancestors(c).FirstOrDefault(a => a.DisplayName == BatchSpan))
                .OfType<Activity>().DistinctBy(b => b.SpanId).ToList();
            return batches.Sum(b => (int)b.GetTagItem("messaging.batch.message_count")!) == events.Count;
        }, () => $"The batch spans over this database's COPYs hold {batches.Sum(b => (int)b.GetTagItem("messaging.batch.message_count")!)} of {events.Count} messages.");

        var link = Assert.Single(batches.SelectMany(b => b.Links));
        Assert.Equal(valid.TraceId, link.Context.TraceId);
        Assert.Equal(valid.SpanId, link.Context.SpanId);
        Assert.All(batches, b => Assert.Equal(default, b.ParentSpanId));
        await PipelineProbe.WaitUntilCommittedToTheEndAsync(broker.BootstrapServers);
        await consumers.StopAsync();
    }

    [Fact]
    public async Task A_dead_letter_is_a_span_in_its_message_trace_linked_to_the_work_that_refused_it_and_its_headers_carry_that_span()
    {
        using var spans = new RecordedSpans();
        await using var broker = StartBroker();
        var database = await TestPostgres.CreateDatabaseAsync();
        using var consumers = await ConsumersHost.StartAsync(broker.BootstrapServers, database);

        // Refused by the contract check (not JSON), and by the database (NUL in text): each from a traced producer.
        var notJson = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var refusedRow = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var good = ClickEvents.Create(1, userId: 1);
        using (var producer = KafkaTestClients.Producer(broker.BootstrapServers))
        {
            await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents,
            [
                new Message<string, string> { Key = "1", Value = "not json", Headers = [new Header("traceparent", Encoding.UTF8.GetBytes(TraceParent(notJson)))] },
                Plain(ClickEvents.Create(2, userId: 1) with { Page = "/nul\u0000page" }, ("traceparent", TraceParent(refusedRow))),
                Plain(good),
            ]);
        }

        var letters = KafkaTestClients.ReadAll(broker.BootstrapServers, Topics.RawEventsDeadLetter, 2);
        Assert.Equal(2, letters.Count);
        foreach (var (origin, value) in new[] { (notJson, "not json"), (refusedRow, (string?)null) })
        {
            var letter = value is null ? letters.Single(l => l.Message.Value != "not json") : letters.Single(l => l.Message.Value == value);
            Assert.True(ActivityContext.TryParse(KafkaTestClients.Header(letter, "traceparent"), null, out var carried));
            Assert.Single(letter.Message.Headers, h => h.Key == "traceparent");
            var span = await spans.WaitForAsync(() => spans.WithSpanId(carried.SpanId), "the dead letter's span named by its traceparent");
            Assert.Equal("send " + Topics.RawEventsDeadLetter, span.DisplayName);
            Assert.Equal(ActivityKind.Producer, span.Kind);
            Assert.Equal(letter.Partition.Value.ToString(), span.GetTagItem("messaging.destination.partition.id"));
            Assert.Equal(letter.Offset.Value, span.GetTagItem("messaging.kafka.offset"));
            // In the trace of the message's producer, under its span; linked to the span at work when it was refused,
            // which is (or is under) the batch's span.
            Assert.Equal(origin.TraceId, span.TraceId);
            Assert.Equal(origin.SpanId, span.ParentSpanId);
            var processing = spans.WithSpanId(Assert.Single(span.Links).Context.SpanId);
            Assert.NotNull(processing);
            Assert.Contains(processing.DisplayName == BatchSpan ? [processing] : spans.Ancestors(processing), a => a.DisplayName == BatchSpan);
        }

        await WaitForStoredAsync(database, 1);
        await PipelineProbe.WaitUntilCommittedToTheEndAsync(broker.BootstrapServers);
        await consumers.StopAsync();
    }

    private static Message<string, string> Plain(ClickEvent clickEvent, params (string Name, string Value)[] headers)
    {
        var message = new Message<string, string> { Key = clickEvent.UserId.ToString(), Value = JsonSerializer.Serialize(clickEvent) };
        if (headers.Length > 0)
        {
            message.Headers = [];
            foreach (var (name, value) in headers)
            {
                message.Headers.Add(name, Encoding.UTF8.GetBytes(value));
            }
        }
        return message;
    }

    private static string TraceParent(ActivityContext context) => $"00-{context.TraceId}-{context.SpanId}-01";

    private static EmbeddedKafkaBroker StartBroker() =>
        EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = PipelineProbe.Partitions, [Topics.RawEventsDeadLetter] = 1 } });

    /// <summary>Npgsql's COPY spans on the test's own database (each test has one).</summary>
    private static List<Activity> CopiesInto(RecordedSpans spans, string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        return spans.All.Where(s => s.Source.Name == "Npgsql" && Equals(s.GetTagItem("db.namespace"), database)
                                    && s.GetTagItem("db.operation.name") is "COPY FROM").ToList();
    }


    private static async Task WaitForStoredAsync(string connectionString, long count)
    {
        long stored = 0;
        await Eventually.HoldsAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM events", connection);
            return (stored = (long)(await command.ExecuteScalarAsync())!) >= count;
        }, () => $"Only {stored} of {count} events were stored.");
    }
}
