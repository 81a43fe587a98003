using System.Text;
using System.Text.Json;
using Clickstream.Contracts;

namespace Clickstream.Benchmarks.Load;

/// <summary>
/// Request bodies of valid click events (~170 bytes each, like the tests' events), every rendering with fresh
/// event ids so each stored row is new. A body is a template with 36-byte holes where ids go: rendering is a copy
/// and a few Guid writes, so the load generator spends its share of the 2 cores on sending, not on serializing.
/// Ids are version 7 (time-ordered), as the tests and most modern clients use.
/// </summary>
public sealed class ClickEventPayloads
{
    private const string Hole = "00000000-0000-0000-0000-000000000000";
    private readonly byte[] template;
    private readonly int[] holes;

    private ClickEventPayloads(byte[] template, int[] holes, int eventsPerBody)
    {
        this.template = template;
        this.holes = holes;
        EventsPerBody = eventsPerBody;
    }

    public int EventsPerBody { get; }

    public int BodyBytes => template.Length;

    /// <summary>One event per body, for /events; <paramref name="variant"/> picks user, page and type.</summary>
    public static ClickEventPayloads Single(int variant = 0) => Build([Event(variant)], asArray: false);

    /// <summary>An array of <paramref name="count"/> events, for /events/batch.</summary>
    public static ClickEventPayloads Batch(int count) => Build(Enumerable.Range(0, count).Select(Event).ToList(), asArray: true);

    public byte[] Render()
    {
        var body = (byte[])template.Clone();
        foreach (var offset in holes)
        {
            Guid.CreateVersion7().TryFormat(body.AsSpan(offset, Hole.Length), out _);
        }
        return body;
    }

    /// <summary>A click event as a client sends it (no received_at), event_time now so the API's age rule accepts it for hours.</summary>
    public static ClickEvent Event(int index) => new()
    {
        EventId = Guid.Empty,
        UserId = 1 + (index * 7919 % 10_000),
        EventType = index % 3 == 0 ? "page_view" : "click",
        Page = $"/products/{index % 50}",
        EventTime = DateTimeOffset.UtcNow,
        SessionId = $"s-{index % 200}",
        Referrer = index % 2 == 0 ? "https://example.com/" : null,
        Properties = index % 4 == 0 ? null : JsonSerializer.SerializeToElement(new { button = "buy", index }),
    };

    private static ClickEventPayloads Build(IReadOnlyList<ClickEvent> events, bool asArray)
    {
        var json = asArray ? JsonSerializer.Serialize(events) : JsonSerializer.Serialize(events[0]);
        var bytes = Encoding.UTF8.GetBytes(json);
        var holes = new List<int>();
        var hole = Encoding.UTF8.GetBytes(Hole);
        for (var at = bytes.AsSpan().IndexOf(hole); at >= 0;)
        {
            holes.Add(at);
            var next = bytes.AsSpan(at + hole.Length).IndexOf(hole);
            at = next < 0 ? -1 : at + hole.Length + next;
        }
        return new ClickEventPayloads(bytes, [.. holes], events.Count);
    }
}
