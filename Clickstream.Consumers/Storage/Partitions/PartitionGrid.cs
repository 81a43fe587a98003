using System.Globalization;

namespace Clickstream.Consumers.Storage.Partitions;

/// <summary>
/// Where partitions begin and end: every <see cref="Interval"/> from UTC midnight of 1970-01-01 (so from every UTC
/// midnight for intervals that divide a day), and what each is called: <c>events_p20261201</c>, or
/// <c>events_p20261201_0600</c> for intervals shorter than a day.
/// </summary>
internal sealed class PartitionGrid(TimeSpan interval)
{
    public TimeSpan Interval => interval;

    /// <summary>The start of the grid cell holding <paramref name="time"/>.</summary>
    public DateTimeOffset CellStart(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var start = ticks - (((ticks % interval.Ticks) + interval.Ticks) % interval.Ticks);
        return DateTimeOffset.UnixEpoch.AddTicks(start);
    }

    public string NameOf(DateTimeOffset start) => "events_p" + start.UtcDateTime.ToString(
        interval < TimeSpan.FromDays(1) ? "yyyyMMdd'_'HHmm" : "yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The cells from the one holding <paramref name="now"/> to <paramref name="ahead"/> after it.</summary>
    public IEnumerable<(DateTimeOffset From, DateTimeOffset To)> Ahead(DateTimeOffset now, int ahead)
    {
        var start = CellStart(now);
        for (var i = 0; i <= ahead; i++)
        {
            yield return (start + (interval * i), start + (interval * (i + 1)));
        }
    }
}
