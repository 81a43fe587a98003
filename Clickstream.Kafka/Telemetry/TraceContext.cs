using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace Clickstream.Kafka.Telemetry;

/// <summary>
/// W3C Trace Context (<c>traceparent</c>, <c>tracestate</c>) in Kafka message headers, so that a trace crosses the topic
/// whatever the language of the producer or the consumer. Reading never throws: a header that is missing or malformed
/// (any producer can write anything) means the message has no parent, never a message that cannot be consumed.
/// </summary>
internal static class TraceContext
{
    /// <summary>The W3C header that carries the trace id, the producer's span id and the sampled flag.</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>The W3C header that carries vendor-specific trace state, when the producer had any.</summary>
    public const string TraceStateHeader = "tracestate";

    /// <summary>
    /// The header MassTransit reads a message's parent from (its <c>DiagnosticHeaders.ActivityId</c>): it holds an
    /// <see cref="Activity.Id"/>, which in the W3C format is a traceparent. MassTransit's own Kafka rider writes it
    /// instead of <c>traceparent</c>, so messages from it are read too.
    /// </summary>
    public const string MassTransitActivityIdHeader = MassTransit.Logging.DiagnosticHeaders.ActivityId;

    // "00-" + 32 hex + "-" + 16 hex + "-" + 2 hex
    private const int TraceParentLength = 55;

    // W3C asks to propagate at least 512 characters of tracestate; longer ones may be dropped, and are, rather than
    // carried along into every span of the consumer.
    private const int MaxTraceStateLength = 512;

    /// <summary>
    /// Parses a <c>traceparent</c> value as W3C Trace Context level 1 defines it: lowercase hex, version <c>ff</c>
    /// refused, all-zero ids refused, version 00 exactly 55 characters, a later version at least that long with a
    /// <c>-</c> after the four fields it shares with 00. False for anything else.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> traceParent, string? traceState, out ActivityContext context)
    {
        context = default;
        if (traceParent.Length < TraceParentLength
            || !TryParseHexByte(traceParent[..2], out var version) || version == 0xff
            || (version == 0 && traceParent.Length != TraceParentLength)
            || (traceParent.Length > TraceParentLength && traceParent[TraceParentLength] != (byte)'-')
            || traceParent[2] != '-' || traceParent[35] != '-' || traceParent[52] != '-')
        {
            return false;
        }
        var traceId = traceParent.Slice(3, 32);
        var spanId = traceParent.Slice(36, 16);
        if (!IsLowerHexNotAllZeros(traceId) || !IsLowerHexNotAllZeros(spanId) || !TryParseHexByte(traceParent.Slice(53, 2), out var flags))
        {
            return false;
        }
        context = new ActivityContext(
            ActivityTraceId.CreateFromUtf8String(traceId),
            ActivitySpanId.CreateFromUtf8String(spanId),
            (ActivityTraceFlags)(flags & (byte)ActivityTraceFlags.Recorded),
            traceState is { Length: > 0 and <= MaxTraceStateLength } ? traceState : null,
            isRemote: true);
        return true;
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{byte}, string?, out ActivityContext)"/>
    public static bool TryParse(string? traceParent, string? traceState, out ActivityContext context)
    {
        context = default;
        if (traceParent is null || traceParent.Length > 4 * TraceParentLength)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[traceParent.Length];
        for (var i = 0; i < traceParent.Length; i++)
        {
            if (traceParent[i] > 0x7f)
            {
                return false;
            }
            bytes[i] = (byte)traceParent[i];
        }
        return TryParse(bytes, traceState, out context);
    }

    /// <summary>
    /// The context a message's producer left in its headers: <c>traceparent</c> (with <c>tracestate</c>), else MassTransit's
    /// <c>MT-Activity-Id</c>. False when there is none or it is malformed.
    /// </summary>
    public static bool TryExtract(Headers? headers, out ActivityContext context)
    {
        context = default;
        if (headers is null)
        {
            return false;
        }
        if (headers.TryGetLastBytes(TraceParentHeader, out var traceParent) && traceParent is not null)
        {
            return TryParse(traceParent, TraceState(headers), out context);
        }
        return headers.TryGetLastBytes(MassTransitActivityIdHeader, out var activityId) && activityId is not null
               && TryParse(activityId, null, out context);
    }

    /// <summary>The <c>traceparent</c> of <paramref name="activity"/> as header bytes; null when its ids are not W3C ones.</summary>
    public static byte[]? FormatTraceParent(Activity activity)
    {
        if (activity.IdFormat != ActivityIdFormat.W3C)
        {
            return null;
        }
        var bytes = new byte[TraceParentLength];
        "00-"u8.CopyTo(bytes);
        Span<byte> id = stackalloc byte[16];
        activity.TraceId.CopyTo(id);
        Convert.TryToHexStringLower(id, bytes.AsSpan(3, 32), out _);
        bytes[35] = (byte)'-';
        activity.SpanId.CopyTo(id[..8]);
        Convert.TryToHexStringLower(id[..8], bytes.AsSpan(36, 16), out _);
        bytes[52] = (byte)'-';
        bytes[53] = (byte)'0';
        bytes[54] = (activity.ActivityTraceFlags & ActivityTraceFlags.Recorded) != 0 ? (byte)'1' : (byte)'0';
        return bytes;
    }

    /// <summary>
    /// Writes <paramref name="activity"/>'s context into <paramref name="headers"/>: <c>traceparent</c>, and
    /// <c>tracestate</c> when it has one. Headers of those names already there are replaced.
    /// </summary>
    public static void Inject(Activity activity, Headers headers)
    {
        if (FormatTraceParent(activity) is not { } traceParent)
        {
            return;
        }
        Inject(traceParent, activity.TraceStateString is { Length: > 0 } state ? Encoding.UTF8.GetBytes(state) : null, headers);
    }

    /// <summary>Writes an already formatted context (shared by the messages of one produce call).</summary>
    internal static void Inject(byte[] traceParent, byte[]? traceState, Headers headers)
    {
        headers.Remove(TraceParentHeader);
        headers.Remove(TraceStateHeader);
        headers.Add(TraceParentHeader, traceParent);
        if (traceState is not null)
        {
            headers.Add(TraceStateHeader, traceState);
        }
    }

    private static string? TraceState(Headers headers) =>
        headers.TryGetLastBytes(TraceStateHeader, out var bytes) && bytes is { Length: > 0 and <= MaxTraceStateLength }
            ? Encoding.UTF8.GetString(bytes)
            : null;

    private static bool IsLowerHexNotAllZeros(ReadOnlySpan<byte> hex)
    {
        var allZeros = true;
        foreach (var c in hex)
        {
            if (!IsLowerHex(c))
            {
                return false;
            }
            allZeros &= c == '0';
        }
        return !allZeros;
    }

    private static bool TryParseHexByte(ReadOnlySpan<byte> hex, out byte value)
    {
        value = 0;
        if (!IsLowerHex(hex[0]) || !IsLowerHex(hex[1]))
        {
            return false;
        }
        value = (byte)((HexValue(hex[0]) << 4) | HexValue(hex[1]));
        return true;
    }

    private static bool IsLowerHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f';

    private static int HexValue(byte c) => c <= '9' ? c - '0' : c - 'a' + 10;
}
