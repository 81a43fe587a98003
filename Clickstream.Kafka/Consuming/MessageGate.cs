using System.Runtime.Serialization;
using System.Text;
using System.Text.Json;
using Clickstream.Kafka.Serialization;
using Clickstream.Kafka.Telemetry;
using Confluent.Kafka;
using MassTransit;
using MassTransit.Serialization;

namespace Clickstream.Kafka.Consuming;

/// <summary>
/// Checks a message against its contract before it enters MassTransit: a value that is not JSON, has wrong types
/// or lacks required fields can never be consumed, so it goes to the dead-letter topic with the reason at once.
/// MassTransit envelopes are left to MassTransit's own deserializer, unless <paramref name="openEnvelopes"/>: a batch
/// the endpoint collects needs every message's value, so the gate takes it out of the envelope. A plain value goes to
/// <paramref name="reader"/> first when there is one, and to System.Text.Json when it declines.
/// </summary>
internal sealed class MessageGate(Type messageType, bool openEnvelopes = false, WireReader? reader = null)
{
    private static ReadOnlySpan<byte> MassTransitEnvelope => "application/vnd.masstransit+json"u8;

    public Type MessageType => messageType;

    /// <summary>
    /// Why the message can never be consumed, or null when it fits the contract; then <paramref name="value"/> is the
    /// deserialized message (null for a MassTransit envelope that is not opened: MassTransit's own deserializer checks it).
    /// </summary>
    public string? Check(Message<byte[]?, byte[]?> message, out object? value) => Check(message, out value, out _);

    /// <inheritdoc cref="Check(Message{byte[], byte[]}, out object?)"/>
    /// <param name="reason">When the message fails the check: whether it is no JSON at all or an invalid message.</param>
    public string? Check(Message<byte[]?, byte[]?> message, out object? value, out DeadLetterReason reason)
    {
        value = null;
        reason = DeadLetterReason.InvalidEvent;
        if (message.Value is not { Length: > 0 } bytes)
        {
            reason = DeadLetterReason.NotJson;
            return "Message has no value.";
        }
        if (IsMassTransitEnvelope(message))
        {
            return openEnvelopes ? Open(bytes, out value) : null;
        }
        try
        {
            value = reader?.Invoke(bytes) ?? JsonSerializer.Deserialize(bytes, messageType, WireJson.Options);
            return value is null ? $"Message value is JSON null, not a {messageType.Name}." : null;
        }
        catch (JsonException e)
        {
            reason = IsJson(bytes) ? DeadLetterReason.InvalidEvent : DeadLetterReason.NotJson;
            return $"Message value is not a valid {messageType.Name}: {e.Message}";
        }
        catch (NotSupportedException e)
        {
            return $"Message value is not a valid {messageType.Name}: {e.Message}";
        }
    }

    // Only for a value that failed: is it JSON with the wrong content, or no JSON at all? Reading it through says (the
    // reader refuses bad syntax, and anything after the one value).
    private static bool IsJson(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            while (reader.Read())
            {
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private string? Open(byte[] envelope, out object? value)
    {
        value = null;
        SerializerContext context;
        try
        {
            context = SystemTextJsonMessageSerializer.Instance.Deserialize(new BytesMessageBody(envelope), EmptyHeaders.Instance);
        }
        catch (SerializationException e)
        {
            return $"Message value is not a valid MassTransit envelope: {e.Message}";
        }
        try
        {
            return context.TryGetMessage(messageType, out value) ? null : $"The MassTransit envelope does not hold a {messageType.Name}.";
        }
        catch (Exception e) when (e is SerializationException or JsonException or NotSupportedException)
        {
            return $"The MassTransit envelope does not hold a valid {messageType.Name}: {e.Message}";
        }
    }

    /// <summary>
    /// The Kafka headers as MassTransit reads them; messages without a content type are plain JSON. A valid W3C
    /// <c>traceparent</c> is also given as MassTransit's <c>MT-Activity-Id</c> (unless the message has one), the header its
    /// receive span takes its parent from: a message's receive span is then a child of its producer's span.
    /// </summary>
    public static IReadOnlyDictionary<string, object> Headers(Message<byte[]?, byte[]?> message)
    {
        // Room for the two headers added here: no resize for them.
        var headers = new Dictionary<string, object>((message.Headers?.Count ?? 0) + 2, StringComparer.OrdinalIgnoreCase);
        foreach (var header in message.Headers ?? [])
        {
            headers[header.Key] = header.GetValueBytes() is { } value ? Encoding.UTF8.GetString(value) : "";
        }
        headers.TryAdd("Content-Type", WireJson.ContentType);
        if (!headers.ContainsKey(TraceContext.MassTransitActivityIdHeader)
            && headers.TryGetValue(TraceContext.TraceParentHeader, out var traceParent)
            && TraceContext.TryParse(traceParent as string, null, out _))
        {
            headers[TraceContext.MassTransitActivityIdHeader] = traceParent;
        }
        return headers;
    }

    // Compared as bytes: no string made per message.
    private static bool IsMassTransitEnvelope(Message<byte[]?, byte[]?> message) =>
        message.Headers is { } headers && headers.TryGetLastBytes("Content-Type", out var bytes) && bytes.AsSpan().SequenceEqual(MassTransitEnvelope);
}
