using Clickstream.Benchmarks.Infrastructure;

namespace Clickstream.Tests.Benchmarks;

/// <summary>What a drain reports besides its rate: the start-up to the first row, and the second half apart.</summary>
public sealed class DrainMeterTests
{
    [Fact]
    public void A_drain_observed_on_its_way_reports_its_first_row_and_its_second_half_apart()
    {
        var meter = DrainMeter.Start(postgresDataDirectory: null, expected: 1_000);
        meter.Observe(0);
        meter.Observe(200);
        meter.Observe(500);
        var allocated = new byte[1_000 * 100];
        meter.Stop(1_000);

        var figures = meter.Figures("worker");

        Assert.InRange(figures["seconds to first row"], 0, meter.Elapsed.TotalSeconds);
        Assert.True(figures["second half: rows/s"] > 0);
        Assert.True(figures["allocated bytes/row"] >= 100, $"{figures["allocated bytes/row"]} bytes/row after {allocated.Length} bytes");
        Assert.True(figures["second half: allocated bytes/row"] >= 200);
        Assert.Contains("worker CPU µs/row", figures.Keys);
        Assert.Contains("second half: worker CPU µs/row", figures.Keys);
    }

    [Fact]
    public void A_drain_whose_rows_all_came_at_once_has_no_second_half_to_report()
    {
        var meter = DrainMeter.Start(postgresDataDirectory: null, expected: 1_000);
        meter.Stop(1_000);

        var figures = meter.Figures("worker");

        Assert.DoesNotContain("second half: rows/s", figures.Keys);
        // The stop saw the first rows: the start-up lasted the whole drain.
        Assert.Contains("seconds to first row", figures.Keys);
    }
}
