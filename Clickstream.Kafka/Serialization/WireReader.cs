namespace Clickstream.Kafka.Serialization;

/// <summary>
/// Reads one message type's plain JSON faster than System.Text.Json's contract-driven reader, for the shapes it knows;
/// null declines the value. A topic endpoint's contract check tries it first (<see cref="Configuration.TopicEndpointSettings.Reader"/>)
/// and lets System.Text.Json read whatever it declines, so the verdict and the reason for anything unusual stay
/// System.Text.Json's. It must never accept a value System.Text.Json refuses, nor read one differently.
/// </summary>
public delegate object? WireReader(ReadOnlySpan<byte> json);
