using System.Net;
using System.Text.Json;
using Clickstream.Contracts;

namespace Clickstream.Tests.Support;

/// <summary>Valid click events for tests, distinct and reproducible.</summary>
internal static class ClickEvents
{
    /// <summary>
    /// An hour before this test run started, to the second, at +01:00: inside the API's accepted window
    /// (<c>Api:Ingestion:MaxAge</c>, <c>MaxFutureSkew</c>) on any date, with room for an hour of events a millisecond apart.
    /// </summary>
    public static readonly DateTimeOffset Epoch = new DateTimeOffset(
        DateTimeOffset.UtcNow.AddHours(-1).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero)
        .ToOffset(TimeSpan.FromHours(1));

    public static ClickEvent Create(int index, long? userId = null) => new()
    {
        EventId = Guid.CreateVersion7(),
        UserId = userId ?? 1 + index % 1000,
        EventType = index % 3 == 0 ? "page_view" : "click",
        Page = $"/products/{index % 50}",
        EventTime = Epoch.AddMilliseconds(index),
        SessionId = $"s-{index % 200}",
        Referrer = index % 2 == 0 ? "https://example.com/" : null,
        Properties = index % 4 == 0 ? null : JsonSerializer.SerializeToElement(new { button = "buy", index }),
    };

    /// <summary>
    /// <see cref="Create"/> with the context the API stamps (as a consumer receives it, not as a client sends it): a user
    /// agent on most events, and an IPv4 /24 or IPv6 /48 network on two in three.
    /// </summary>
    public static ClickEvent Stamped(int index, long? userId = null) => Create(index, userId) with
    {
        UserAgent = index % 5 == 0 ? null : $"Mozilla/5.0 (X11; Linux x86_64) Test/{index % 7}",
        ClientAddress = (index % 3) switch
        {
            0 => null,
            1 => new IPNetwork(new IPAddress([203, 0, (byte)(index % 256), 0]), 24),
            _ => new IPNetwork(new IPAddress([0x20, 0x01, 0x0d, 0xb8, 0, (byte)(index % 256), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 48),
        },
    };

    public static List<ClickEvent> Many(int count, int usersCount = 1000) =>
        Enumerable.Range(0, count).Select(i => Create(i, 1 + i % usersCount)).ToList();
}
