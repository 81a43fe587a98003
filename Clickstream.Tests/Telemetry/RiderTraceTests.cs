using System.Diagnostics;
using Clickstream.Contracts;
using Clickstream.Kafka;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Producing;
using Clickstream.Tests.Kafka;
using Clickstream.Tests.Rider;
using Clickstream.Tests.Support;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Clickstream.Tests.Telemetry;

/// <summary>The rider's spans with any consumer: producer spans under the caller's, MassTransit's receive spans under them.</summary>
public sealed class RiderTraceTests
{
    // Under "Clickstream.*": the recorded spans include the caller's.
    private static readonly ActivitySource Caller = new("Clickstream.Tests.Caller");

    [Fact]
    public async Task A_produce_is_a_child_of_the_caller_span_without_becoming_current_and_a_plain_consumer_receive_span_is_its_child()
    {
        using var spans = new RecordedSpans();
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 3, [Topics.RawEventsDeadLetter] = 1 } });
        var received = new Received();
        await using var host = await RiderHost.StartAsync(broker.BootstrapServers,
            rider =>
            {
                rider.AddConsumer<RecordingConsumer>();
                rider.AddProducer<ClickEvent>(Topics.RawEvents, p => p.Key = e => e.UserId.ToString());
            },
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, "readers", e => e.ConfigureConsumer<RecordingConsumer>(context)),
            services => services.AddSingleton(received));
        var producer = host.GetScoped<ITopicProducer<ClickEvent>>();
        var sent = ClickEvents.Create(7);

        ActivitySpanId callerSpan;
        using (var caller = Caller.StartActivity("caller"))
        {
            Assert.NotNull(caller);
            callerSpan = caller.SpanId;
            var produced = producer.ProduceAsync(sent);
            // The produce ends with the broker's ack, not with the call: what the caller does next is not in it.
            Assert.Same(caller, Activity.Current);
            await produced;
        }

        var produce = await spans.WaitForAsync(() => spans.All.FirstOrDefault(s => s.ParentSpanId == callerSpan && s.Source.Name == "Clickstream.Kafka"),
            "a produce span under the caller's");
        Assert.Equal("send " + Topics.RawEvents, produce.DisplayName);
        Assert.Equal(sent.UserId.ToString(), produce.GetTagItem("messaging.kafka.message.key"));

        // MassTransit reads the parent of its receive span from MT-Activity-Id, which the rider fills from traceparent.
        await received.WaitForAsync(r => r.Messages.Any(m => m.Event.EventId == sent.EventId));
        var receive = await spans.WaitForAsync(() => spans.All.FirstOrDefault(s => s.ParentSpanId == produce.SpanId && s.Source.Name == "MassTransit"),
            "a MassTransit span under the produce span");
        Assert.Equal(produce.TraceId, receive.TraceId);
        Assert.Equal(ActivityKind.Consumer, receive.Kind);
        Assert.EndsWith(" receive", receive.DisplayName);
        var process = await spans.WaitForAsync(() => spans.All.FirstOrDefault(s => s.ParentSpanId == receive.SpanId),
            "MassTransit's consumer span under its receive span");
        Assert.Contains(nameof(RecordingConsumer), (string?)process.GetTagItem("messaging.masstransit.consumer_type"));
    }

    [Fact]
    public async Task Producing_many_messages_in_one_call_is_one_span_whose_context_every_message_carries()
    {
        using var spans = new RecordedSpans();
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 3, [Topics.RawEventsDeadLetter] = 1 } });
        await using var host = await RiderHost.StartAsync(broker.BootstrapServers,
            rider => rider.AddProducer<ClickEvent>(Topics.RawEvents, p => p.Key = e => e.UserId.ToString()),
            (_, _) => { });
        var events = ClickEvents.Many(20);

        using (Caller.StartActivity("caller"))
        {
            await host.GetScoped<ITopicProducer<ClickEvent>>().ProduceManyAsync(events);
        }

        var messages = KafkaTestClients.ReadAll(broker.BootstrapServers, Topics.RawEvents, events.Count);
        Assert.Equal(events.Count, messages.Count);
        var traceParent = Assert.Single(messages.Select(m => KafkaTestClients.Header(m, "traceparent")).Distinct());
        Assert.True(ActivityContext.TryParse(traceParent, null, out var carried));
        var produce = await spans.WaitForAsync(() => spans.WithSpanId(carried.SpanId), "the produce span the messages name");
        Assert.Equal(events.Count, produce.GetTagItem("messaging.batch.message_count"));
        Assert.Equal(ActivityStatusCode.Unset, produce.Status);
        Assert.Equal("caller", Assert.Single(spans.Ancestors(produce)).DisplayName);
    }
}
