using System.Text.Json.Serialization;

namespace Clickstream.Api.Apis;

/// <summary>The answer to <c>POST /events</c>: Kafka holds the event.</summary>
public sealed record EventAccepted([property: JsonPropertyName("event_id")] Guid EventId);

/// <summary>The answer to <c>POST /events/batch</c>: Kafka holds all of the batch's events.</summary>
public sealed record BatchAccepted([property: JsonPropertyName("accepted")] int Accepted);
