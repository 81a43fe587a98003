using System.Text;
using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Kafka.Consuming;
using Clickstream.Tests.Support;

namespace Clickstream.Tests.Rider.Parts;

public sealed class MessageGateTests
{
    private const string Envelope = "application/vnd.masstransit+json";
    private readonly ReceivedMessages _messages = new();
    private readonly MessageGate _gate = new(typeof(ClickEvent));

    [Fact]
    public void A_plain_JSON_event_passes_with_its_value()
    {
        var clickEvent = ClickEvents.Create(1);
        var problem = _gate.Check(_messages.Message(0, JsonSerializer.Serialize(clickEvent)).Result.Message, out var value);

        Assert.Null(problem);
        Assert.Equal(clickEvent.EventId, Assert.IsType<ClickEvent>(value).EventId);
    }

    [Theory]
    [InlineData(null, "Message has no value.")]
    [InlineData("", "Message has no value.")]
    [InlineData("not json", "Message value is not a valid ClickEvent")]
    [InlineData("null", "Message value is JSON null, not a ClickEvent.")]
    [InlineData("""{"event_id":12,"user_id":"abc"}""", "Message value is not a valid ClickEvent")]
    public void A_value_that_can_never_be_consumed_is_refused_with_the_reason(string? value, string reason)
    {
        var problem = _gate.Check(_messages.Message(0, value).Result.Message, out var deserialized);

        Assert.StartsWith(reason, problem);
        Assert.Null(deserialized);
    }

    [Fact]
    public void A_MassTransit_envelope_is_left_to_MassTransit_unless_the_gate_opens_envelopes()
    {
        var clickEvent = ClickEvents.Create(2);
        var envelope = $$"""{"messageId":"{{Guid.NewGuid()}}","messageType":["urn:message:Clickstream.Contracts:ClickEvent"],"message":{{JsonSerializer.Serialize(clickEvent)}}}""";
        var message = _messages.Message(0, envelope, contentType: Envelope).Result.Message;

        Assert.Null(_gate.Check(message, out var left));
        Assert.Null(left);

        Assert.Null(new MessageGate(typeof(ClickEvent), openEnvelopes: true).Check(message, out var opened));
        Assert.Equal(clickEvent.EventId, Assert.IsType<ClickEvent>(opened).EventId);
    }

    [Fact]
    public void An_opened_envelope_that_holds_another_message_type_is_refused()
    {
        var envelope = $$$"""{"messageId":"{{{Guid.NewGuid()}}}","messageType":["urn:message:Billing:InvoicePaid"],"message":{"invoice":1}}""";
        var problem = new MessageGate(typeof(ClickEvent), openEnvelopes: true).Check(_messages.Message(0, envelope, contentType: Envelope).Result.Message, out _);

        Assert.StartsWith("The MassTransit envelope does not hold a", problem);
        Assert.Contains("ClickEvent", problem);
    }

    [Fact]
    public void Kafka_headers_reach_MassTransit_as_text_and_plain_messages_are_JSON()
    {
        var message = _messages.Message(0, "{}").Result.Message;
        message.Headers.Add("traceparent", Encoding.UTF8.GetBytes("00-abc-01"));

        var headers = MessageGate.Headers(message);

        Assert.Equal("00-abc-01", headers["traceparent"]);
        Assert.Equal("application/json", headers["content-type"]);
    }
}
