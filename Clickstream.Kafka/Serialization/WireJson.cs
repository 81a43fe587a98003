using System.Text.Json;

namespace Clickstream.Kafka.Serialization;

/// <summary>
/// Message values on Kafka are plain JSON (no MassTransit envelope), so any producer or consumer, .NET or not,
/// reads and writes them. Property names come from the contract's attributes (snake_case for ClickEvent).
/// </summary>
public static class WireJson
{
    /// <summary>The content type stamped on produced messages and assumed for messages without one.</summary>
    public const string ContentType = "application/json";

    /// <summary>Serializer options shared by producers and topic endpoints.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        // Numbers in strings are wrong types on the wire: reject them rather than guess.
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>A message's value on the wire.</summary>
    public static byte[] Serialize<T>(T message) => JsonSerializer.SerializeToUtf8Bytes(message, Options);
}
