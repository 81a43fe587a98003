using System.Text;
using Clickstream.Contracts;
using Clickstream.Kafka.Consuming;
using Confluent.Kafka;

namespace Clickstream.Tests.Telemetry;

/// <summary>The <c>reason</c> class of <c>clickstream.kafka.dead_letters</c>: what the contract check says of a refused value.</summary>
public sealed class DeadLetterReasonTests
{
    private readonly MessageGate _gate = new(typeof(ClickEvent));

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"event_id\":")]
    [InlineData("{} trailing")]
    [InlineData("\u00ff\u00fe")]
    public void A_value_that_is_no_JSON_at_all_is_not_json(string value) =>
        Assert.Equal(DeadLetterReason.NotJson, Reason(value));

    [Theory]
    [InlineData("""{"event_id":12,"user_id":"abc"}""")]
    [InlineData("""{"event_id":"3f1c8a52-7d3e-4d4b-9a55-1a2b3c4d5e6f","page":"/"}""")]
    [InlineData("null")]
    [InlineData("[1,2,3]")]
    public void JSON_that_is_no_valid_event_is_invalid_event(string value) =>
        Assert.Equal(DeadLetterReason.InvalidEvent, Reason(value));

    [Theory]
    [InlineData("Rejected by DB")]
    [InlineData("user-42")]
    [InlineData("an_overly_long_reason_class_that_would_not_fit_a_dashboard_legend")]
    public void A_reason_class_that_is_not_short_lower_snake_case_is_refused(string name) =>
        Assert.Throws<ArgumentException>(() => new DeadLetterReason(name));

    [Fact]
    public void A_default_reason_class_reads_as_rejected_by_consumer() =>
        Assert.Equal("rejected_by_consumer", default(DeadLetterReason).Name);

    private DeadLetterReason Reason(string value)
    {
        var message = new Message<byte[]?, byte[]?> { Value = Encoding.Latin1.GetBytes(value), Headers = [] };
        Assert.NotNull(_gate.Check(message, out _, out var reason));
        return reason;
    }
}
