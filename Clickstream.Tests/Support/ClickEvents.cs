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

    public static List<ClickEvent> Many(int count, int usersCount = 1000) =>
        Enumerable.Range(0, count).Select(i => Create(i, 1 + i % usersCount)).ToList();
}
