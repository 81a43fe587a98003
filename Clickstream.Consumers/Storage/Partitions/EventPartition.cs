namespace Clickstream.Consumers.Storage.Partitions;

/// <summary>A partition of <c>events</c>: its range (From null: MINVALUE, as events_legacy), or the default partition.</summary>
internal sealed record EventPartition(string Name, DateTimeOffset? From, DateTimeOffset? To)
{
    public bool IsDefault => To is null;
}
