using Clickstream.Consumers.Configuration;
using Microsoft.Extensions.Options;

namespace Clickstream.Tests.Postgres;

/// <summary>Storage settings that cannot work stop the worker's start, each named with what would work.</summary>
public sealed class PartitionOptionsTests
{
    [Theory]
    [InlineData("01:00:00", 3, null, "00:10:00", null)]
    [InlineData("06:00:00", 3, "7.00:00:00", "00:10:00", null)]
    [InlineData("7.00:00:00", 1, "90.00:00:00", "01:00:00", null)]
    [InlineData("05:00:00", 3, null, "00:10:00", "Storage:PartitionInterval must be whole hours that divide a day")]
    [InlineData("00:30:00", 3, null, "00:10:00", "Storage:PartitionInterval must be whole hours that divide a day")]
    [InlineData("1.12:00:00", 3, null, "00:10:00", "Storage:PartitionInterval must be whole hours that divide a day (01:00:00, 02:00:00, ... 12:00:00) or 1 to 31 whole days")]
    [InlineData("1.00:00:00", 0, null, "00:10:00", "Storage:PartitionsAhead must be between 1 and 366 (got 0)")]
    [InlineData("1.00:00:00", 3, "12:00:00", "00:10:00", "Storage:Retention (12:00:00) must be at least one PartitionInterval")]
    [InlineData("1.00:00:00", 3, null, "00:00:00", "Storage:MaintenanceInterval must be between 1 second and 1 day")]
    public void Settings_are_checked_at_start(string interval, int ahead, string? retention, string maintenance, string? problem)
    {
        var options = new PartitionOptions
        {
            PartitionInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture),
            PartitionsAhead = ahead,
            Retention = retention is null ? null : TimeSpan.Parse(retention, System.Globalization.CultureInfo.InvariantCulture),
            MaintenanceInterval = TimeSpan.Parse(maintenance, System.Globalization.CultureInfo.InvariantCulture),
        };

        var result = new PartitionOptionsValidator().Validate(null, options);

        if (problem is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
        }
        else
        {
            Assert.True(result.Failed);
            Assert.Contains(problem, result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_defaults_are_daily_partitions_three_ahead_kept_forever()
    {
        var options = new PartitionOptions();

        Assert.Equal(TimeSpan.FromDays(1), options.PartitionInterval);
        Assert.Equal(3, options.PartitionsAhead);
        Assert.Null(options.Retention);
        Assert.True(new PartitionOptionsValidator().Validate(Options.DefaultName, options).Succeeded);
    }
}
