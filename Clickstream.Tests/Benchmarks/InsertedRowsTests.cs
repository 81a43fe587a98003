using System.Diagnostics.Metrics;
using Clickstream.Benchmarks.Infrastructure;
using Clickstream.Consumers.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Clickstream.Tests.Benchmarks;

/// <summary>A drain counts the rows its own worker host committed, not those of other hosts in the process.</summary>
public sealed class InsertedRowsTests
{
    [Fact]
    public void Rows_are_counted_per_host_from_the_start_even_before_the_host_is_known()
    {
        using var inserted = new InsertedRows();
        using var drained = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var other = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var drainedMeters = drained.GetRequiredService<IMeterFactory>();
        var otherMeters = other.GetRequiredService<IMeterFactory>();

        // What the store's metrics do: its meter from the host's factory, its counter of committed rows.
        drainedMeters.Create(StoreMetrics.MeterName).CreateCounter<long>(StoreMetrics.RowsInserted).Add(100);
        otherMeters.Create(StoreMetrics.MeterName).CreateCounter<long>(StoreMetrics.RowsInserted).Add(1_000);
        drainedMeters.Create(StoreMetrics.MeterName).CreateCounter<long>(StoreMetrics.RowsInserted).Add(20);

        Assert.Equal(120, inserted.CountOf(drainedMeters));
        Assert.Equal(1_000, inserted.CountOf(otherMeters));
    }
}
