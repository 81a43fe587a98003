using System.Diagnostics;
using System.Text;
using Clickstream.Kafka.Telemetry;
using Confluent.Kafka;

namespace Clickstream.Tests.Telemetry;

/// <summary>
/// The W3C traceparent in Kafka headers, read and written. Any producer can write any header: a malformed one means no
/// parent, never an exception (a message that throws here would be poison for its partition).
/// </summary>
public sealed class TraceContextTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string SpanId = "00f067aa0ba902b7";

    [Fact]
    public void A_valid_traceparent_gives_its_trace_id_span_id_and_sampled_flag_as_a_remote_context()
    {
        Assert.True(TraceContext.TryParse($"00-{TraceId}-{SpanId}-01", "vendor=a", out var context));

        Assert.Equal(TraceId, context.TraceId.ToHexString());
        Assert.Equal(SpanId, context.SpanId.ToHexString());
        Assert.Equal(ActivityTraceFlags.Recorded, context.TraceFlags);
        Assert.Equal("vendor=a", context.TraceState);
        Assert.True(context.IsRemote);
    }

    [Fact]
    public void An_unsampled_traceparent_keeps_its_flag_off_and_unknown_flag_bits_are_dropped()
    {
        Assert.True(TraceContext.TryParse($"00-{TraceId}-{SpanId}-00", null, out var unsampled));
        Assert.Equal(ActivityTraceFlags.None, unsampled.TraceFlags);

        Assert.True(TraceContext.TryParse($"00-{TraceId}-{SpanId}-03", null, out var extraBits));
        Assert.Equal(ActivityTraceFlags.Recorded, extraBits.TraceFlags);
    }

    [Fact]
    public void A_later_version_is_read_by_its_first_four_fields_as_w3c_asks()
    {
        Assert.True(TraceContext.TryParse($"01-{TraceId}-{SpanId}-01-what-comes-later", null, out var context));
        Assert.Equal(TraceId, context.TraceId.ToHexString());
        Assert.True(TraceContext.TryParse($"cc-{TraceId}-{SpanId}-01", null, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("00-not-a-trace-context")]
    [InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01")] // all-zero trace id
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")] // all-zero span id
    [InlineData("00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01")] // uppercase hex
    [InlineData("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")] // version ff is forbidden
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-")] // version 00 has nothing after the flags
    [InlineData("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x")] // a later version: a dash after the flags
    [InlineData("00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01")] // wrong separators
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01")] // not hex
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g")] // flags not hex
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01")]  // span id one short
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0ü")] // not ASCII
    public void A_malformed_traceparent_is_no_context_and_no_exception(string traceParent)
    {
        Assert.False(TraceContext.TryParse(traceParent, null, out var context));
        Assert.Equal(default, context);
        // The same as header bytes, as a consumer reads them.
        Assert.False(TraceContext.TryExtract(new Headers { { "traceparent", Encoding.UTF8.GetBytes(traceParent) } }, out _));
    }

    [Fact]
    public void Headers_without_a_context_a_null_header_value_or_no_headers_at_all_give_no_context()
    {
        Assert.False(TraceContext.TryExtract(null, out _));
        Assert.False(TraceContext.TryExtract([], out _));
        Assert.False(TraceContext.TryExtract(new Headers { { "Content-Type", "application/json"u8.ToArray() } }, out _));
        Assert.False(TraceContext.TryExtract(new Headers { { "traceparent", null } }, out _));
        Assert.False(TraceContext.TryExtract(new Headers { { "traceparent", new byte[64 * 1024] } }, out _));
    }

    [Fact]
    public void The_last_traceparent_header_counts_and_its_tracestate_comes_with_it_unless_it_is_too_long()
    {
        var headers = new Headers
        {
            { "traceparent", Encoding.UTF8.GetBytes($"00-{new string('1', 32)}-{SpanId}-01") },
            { "traceparent", Encoding.UTF8.GetBytes($"00-{TraceId}-{SpanId}-01") },
            { "tracestate", "congo=t61rcWkgMzE"u8.ToArray() },
        };
        Assert.True(TraceContext.TryExtract(headers, out var context));
        Assert.Equal(TraceId, context.TraceId.ToHexString());
        Assert.Equal("congo=t61rcWkgMzE", context.TraceState);

        headers.Remove("tracestate");
        headers.Add("tracestate", Encoding.UTF8.GetBytes("a=" + new string('x', 600)));
        Assert.True(TraceContext.TryExtract(headers, out var withoutState));
        Assert.Null(withoutState.TraceState);
    }

    [Fact]
    public void A_message_from_masstransit_with_only_its_activity_id_header_gives_that_context()
    {
        var headers = new Headers { { "MT-Activity-Id", Encoding.UTF8.GetBytes($"00-{TraceId}-{SpanId}-01") } };

        Assert.True(TraceContext.TryExtract(headers, out var context));
        Assert.Equal(SpanId, context.SpanId.ToHexString());
    }

    [Fact]
    public void An_activity_written_into_headers_is_read_back_as_the_same_context_and_replaces_a_context_already_there()
    {
        using var activity = new Activity("produce").SetIdFormat(ActivityIdFormat.W3C).Start();
        activity.TraceStateString = "vendor=b";
        activity.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        var headers = new Headers
        {
            { "traceparent", Encoding.UTF8.GetBytes($"00-{TraceId}-{SpanId}-01") },
            { "tracestate", "old=1"u8.ToArray() },
        };

        TraceContext.Inject(activity, headers);

        Assert.Equal(activity.Id, Encoding.UTF8.GetString(headers.GetLastBytes("traceparent")));
        Assert.Single(headers, h => h.Key == "traceparent");
        Assert.Single(headers, h => h.Key == "tracestate");
        Assert.True(TraceContext.TryExtract(headers, out var context));
        Assert.Equal(activity.TraceId, context.TraceId);
        Assert.Equal(activity.SpanId, context.SpanId);
        Assert.Equal(ActivityTraceFlags.Recorded, context.TraceFlags);
        Assert.Equal("vendor=b", context.TraceState);
    }

    [Fact]
    public void An_activity_with_hierarchical_ids_writes_no_traceparent()
    {
        using var activity = new Activity("legacy").SetIdFormat(ActivityIdFormat.Hierarchical).Start();
        var headers = new Headers();

        TraceContext.Inject(activity, headers);

        Assert.Empty(headers);
    }
}
