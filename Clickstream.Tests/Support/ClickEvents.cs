using System.Text.Json;
using Clickstream.Contracts;

namespace Clickstream.Tests.Support;

/// <summary>Valid click events for tests, distinct and reproducible.</summary>
internal static class ClickEvents
{
    private static readonly DateTimeOffset Epoch = new(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(1));

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
