using System.Text;
using System.Text.Json;
using Clickstream.Kafka.Serialization;
using Confluent.Kafka;

namespace Clickstream.Kafka.Consuming;

/// <summary>
/// Checks a message against its contract before it enters MassTransit: a value that is not JSON, has wrong types
/// or lacks required fields can never be consumed, so it goes to the dead-letter topic with the reason at once.
/// </summary>
internal sealed class MessageGate(Type messageType)
{
    private const string MassTransitEnvelope = "application/vnd.masstransit+json";

    /// <summary>
    /// Why the message can never be consumed, or null when it fits the contract; then <paramref name="value"/> is the
    /// deserialized message (null for a MassTransit envelope, which MassTransit's own deserializer checks).
    /// </summary>
    public string? Check(Message<byte[]?, byte[]?> message, out object? value)
    {
        value = null;
        if (message.Value is not { Length: > 0 } bytes)
        {
            return "Message has no value.";
        }
        if (ContentType(message) == MassTransitEnvelope)
        {
            return null;
        }
        try
        {
            value = JsonSerializer.Deserialize(bytes, messageType, WireJson.Options);
            return value is null ? $"Message value is JSON null, not a {messageType.Name}." : null;
        }
        catch (JsonException e)
        {
            return $"Message value is not a valid {messageType.Name}: {e.Message}";
        }
        catch (NotSupportedException e)
        {
            return $"Message value is not a valid {messageType.Name}: {e.Message}";
        }
    }

    /// <summary>The Kafka headers as MassTransit reads them; messages without a content type are plain JSON.</summary>
    public static IReadOnlyDictionary<string, object> Headers(Message<byte[]?, byte[]?> message)
    {
        var headers = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in message.Headers ?? [])
        {
            headers[header.Key] = Encoding.UTF8.GetString(header.GetValueBytes());
        }
        headers.TryAdd("Content-Type", WireJson.ContentType);
        return headers;
    }

    private static string? ContentType(Message<byte[]?, byte[]?> message) =>
        message.Headers is { } headers && headers.TryGetLastBytes("Content-Type", out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}
