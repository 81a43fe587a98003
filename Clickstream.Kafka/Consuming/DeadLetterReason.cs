namespace Clickstream.Kafka.Consuming;

/// <summary>
/// Why a message went to the dead-letter topic, as a class of few values: the <c>reason</c> tag of
/// <c>clickstream.kafka.dead_letters</c>. The full reason (the exact problem, an exception) goes in the dead letter's
/// headers; this one groups them on a dashboard, so it must never carry a message's data.
/// </summary>
public readonly record struct DeadLetterReason
{
    /// <param name="name">Lower-case letters, digits and underscores, at most 40 (<c>rejected_by_database</c>).</param>
    public DeadLetterReason(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > 40 || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
        {
            throw new ArgumentException($"A dead-letter reason is a short lower_snake_case class (got '{name}').", nameof(name));
        }
        _name = name;
    }

    private readonly string? _name;

    /// <summary>The tag value.</summary>
    public string Name => _name ?? RejectedByConsumer.Name;

    /// <summary>The value is not JSON at all (or there is no value).</summary>
    public static DeadLetterReason NotJson { get; } = new("not_json");

    /// <summary>The value is JSON but not a valid message of the endpoint's type (wrong types, fields missing).</summary>
    public static DeadLetterReason InvalidEvent { get; } = new("invalid_event");

    /// <summary>Kafka could not read the message (corrupt or undecompressable batch, a key or value it could not deserialize).</summary>
    public static DeadLetterReason Unreadable { get; } = new("unreadable");

    /// <summary>The consumer still faulted after its retries.</summary>
    public static DeadLetterReason ConsumerFault { get; } = new("consumer_fault");

    /// <summary>A consumer dead-lettered the message itself without naming a class.</summary>
    public static DeadLetterReason RejectedByConsumer { get; } = new("rejected_by_consumer");

    public override string ToString() => Name;
}
