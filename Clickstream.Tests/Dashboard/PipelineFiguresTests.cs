using System.Diagnostics.Metrics;
using Clickstream.Api.Dashboard.Figures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Clickstream.Tests.Dashboard;

/// <summary>
/// The dashboard's figures from instruments published under the pipeline's names, on a fake clock: a second closes
/// only when the test advances time past it, so every count lands in a known second.
/// </summary>
public sealed class PipelineFiguresTests : IAsyncLifetime
{
    // An arbitrary instant, half a second into a second, in no relation to today.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(2_000_000_000).AddMilliseconds(500));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PipelineFigures _figures;
    private readonly Meter _api;
    private readonly Meter _kafka;
    private readonly Meter _consumers;

    public PipelineFiguresTests()
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        _figures = new PipelineFigures(meters, _time, NullLogger<PipelineFigures>.Instance);
        _api = meters.Create("Clickstream.Api");
        _kafka = meters.Create("Clickstream.Kafka");
        _consumers = meters.Create("Clickstream.Consumers");
    }

    public Task InitializeAsync() => _figures.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _figures.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }

    [Fact]
    public void Accepted_events_count_in_the_second_they_were_recorded_and_the_rate_averages_the_seconds_observed_up_to_ten()
    {
        var accepted = _api.CreateCounter<long>("clickstream.api.events.accepted");

        accepted.Add(20);
        accepted.Add(10);
        CloseSeconds(1);
        accepted.Add(10);
        CloseSeconds(1);

        var ingest = _figures.ReadIngest();
        Assert.Equal(40, ingest.AcceptedTotal);
        // Two seconds observed since the start: 40 events over 2 s, not over 10.
        Assert.Equal(20, ingest.AcceptedPerSecond);
        Assert.Equal(PipelineFigures.WindowSeconds, ingest.AcceptedSeries.Length);
        Assert.Equal([30L, 10L], ingest.AcceptedSeries[^2..]);
        Assert.Equal(40, ingest.AcceptedSeries.Sum());

        CloseSeconds(8);
        Assert.Equal(4, _figures.ReadIngest().AcceptedPerSecond);
        CloseSeconds(1);
        // The first second (30 events) left the last ten.
        Assert.Equal(1, _figures.ReadIngest().AcceptedPerSecond);
    }

    [Fact]
    public void What_is_recorded_in_the_current_second_shows_once_that_second_closed()
    {
        var accepted = _api.CreateCounter<long>("clickstream.api.events.accepted");
        CloseSeconds(1);

        // Half a second in: 0.4 s to go.
        accepted.Add(7);
        _time.Advance(TimeSpan.FromMilliseconds(400));

        Assert.Equal(0, _figures.ReadIngest().AcceptedTotal);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(7, _figures.ReadIngest().AcceptedTotal);
        Assert.Equal(7, _figures.ReadIngest().AcceptedSeries[^1]);
    }

    [Fact]
    public void Refused_events_are_rated_and_totalled_by_reason()
    {
        var refused = _api.CreateCounter<long>("clickstream.api.events.refused");

        refused.Add(4, new KeyValuePair<string, object?>("reason", "invalid"));
        refused.Add(1, new KeyValuePair<string, object?>("reason", "too_large"));
        refused.Add(6, new KeyValuePair<string, object?>("reason", "invalid"));
        CloseSeconds(2);

        var ingest = _figures.ReadIngest();
        Assert.Equal(new Dictionary<string, long> { ["invalid"] = 10, ["too_large"] = 1 }, ingest.RefusedTotal);
        Assert.Equal(new Dictionary<string, double> { ["invalid"] = 5, ["too_large"] = 0.5 }, ingest.RefusedPerSecond);
        Assert.Equal(11, ingest.RefusedSeries.Sum());
        Assert.Equal(0, ingest.AcceptedTotal);
    }

    [Fact]
    public void Seconds_older_than_the_window_leave_the_series_and_the_latency_quantiles_but_not_the_totals()
    {
        var inserted = _consumers.CreateCounter<long>("clickstream.store.rows.inserted");
        var durations = _consumers.CreateHistogram<double>("clickstream.store.batch.duration", "s");

        inserted.Add(500);
        durations.Record(0.02, new KeyValuePair<string, object?>("outcome", "stored"));
        CloseSeconds(PipelineFigures.WindowSeconds);
        var inWindow = _figures.ReadConsumers();
        CloseSeconds(1);
        var after = _figures.ReadConsumers();

        Assert.Equal(500, inWindow.StoredSeries[0]);
        Assert.Equal(1, inWindow.BatchDuration.Batches);
        Assert.Equal(0, after.StoredSeries.Sum());
        Assert.Equal(0, after.BatchDuration.Batches);
        Assert.Null(after.BatchDuration.P50Seconds);
        Assert.Equal(500, after.StoredTotal);
    }

    [Fact]
    public void Batch_store_latency_p50_and_p99_come_from_the_durations_recorded_over_the_window()
    {
        var durations = _consumers.CreateHistogram<double>("clickstream.store.batch.duration", "s");
        var stored = new KeyValuePair<string, object?>("outcome", "stored");

        for (var i = 0; i < 98; i++)
        {
            durations.Record(0.010, stored);
        }
        CloseSeconds(1);
        durations.Record(0.5, stored);
        durations.Record(3.0, new KeyValuePair<string, object?>("outcome", "failed"));
        CloseSeconds(1);

        var latency = _figures.ReadConsumers().BatchDuration;
        Assert.Equal(100, latency.Batches);
        // Within the buckets' width (about 9 %): the quantiles are estimates, not sorted samples.
        Assert.InRange(latency.P50Seconds!.Value, 0.010 * 0.91, 0.010 * 1.09);
        Assert.InRange(latency.P99Seconds!.Value, 0.5 * 0.91, 0.5 * 1.09);
    }

    [Fact]
    public void Lag_is_read_per_partition_from_both_gauges_and_a_revoked_partition_leaves_it()
    {
        var assigned = new List<(int Partition, long Committed, long Position)> { (0, 12, 2), (1, 0, 0), (2, 5, 5) };
        _kafka.CreateObservableGauge("clickstream.kafka.partition.lag", () => assigned.SelectMany(p => new[]
        {
            new Measurement<long>(p.Committed, Lag("committed", p.Partition)),
            new Measurement<long>(p.Position, Lag("position", p.Partition)),
        }).ToList());

        CloseSeconds(1);
        var lag = _figures.ReadConsumers().Lag!;
        assigned.RemoveAt(1);
        CloseSeconds(1);
        var afterRevoke = _figures.ReadConsumers().Lag!;

        Assert.Equal(
            [new("raw_events", "event_ingestors", "0", 12, 2), new("raw_events", "event_ingestors", "1", 0, 0), new("raw_events", "event_ingestors", "2", 5, 5)],
            lag);
        Assert.Equal(["0", "2"], afterRevoke.Select(l => l.Partition));
    }

    [Fact]
    public void Dead_letters_stalls_and_paused_partitions_are_read_from_their_instruments()
    {
        var deadLetters = _kafka.CreateCounter<long>("clickstream.kafka.dead_letters");
        var stalled = 0L;
        _consumers.CreateObservableGauge("clickstream.store.stalled", () => stalled);
        _kafka.CreateObservableGauge("clickstream.kafka.partitions.paused", () => new Measurement<long>(2, new KeyValuePair<string, object?>("messaging.destination.name", "raw_events")));

        deadLetters.Add(1, Topic(), new KeyValuePair<string, object?>("reason", "not_json"));
        deadLetters.Add(2, Topic(), new KeyValuePair<string, object?>("reason", "invalid_event"));
        deadLetters.Add(1, Topic(), new KeyValuePair<string, object?>("reason", "not_json"));
        CloseSeconds(1);
        var calm = _figures.ReadConsumers();
        stalled = 3;
        CloseSeconds(1);
        var stalledNow = _figures.ReadConsumers();

        Assert.Equal(new Dictionary<string, long> { ["not_json"] = 2, ["invalid_event"] = 2 }, calm.DeadLettersTotal);
        Assert.Equal(4, calm.DeadLettersInWindow);
        Assert.Equal(0, calm.StalledBatches);
        Assert.Equal(3, stalledNow.StalledBatches);
        Assert.Equal(2, stalledNow.PausedPartitions);
    }

    [Fact]
    public void Gauges_no_instrument_reports_read_as_not_reported_rather_than_zero()
    {
        CloseSeconds(1);

        var consumers = _figures.ReadConsumers();

        Assert.Null(consumers.Lag);
        Assert.Null(consumers.StalledBatches);
        Assert.Null(consumers.PausedPartitions);
    }

    [Fact]
    public void Instruments_of_another_meter_factory_or_under_other_names_are_not_counted()
    {
        using var otherHost = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var elsewhere = otherHost.GetRequiredService<IMeterFactory>().Create("Clickstream.Api").CreateCounter<long>("clickstream.api.events.accepted");
        var otherName = _api.CreateCounter<long>("clickstream.api.events.received");
        var ours = _api.CreateCounter<long>("clickstream.api.events.accepted");

        elsewhere.Add(1_000);
        otherName.Add(100);
        ours.Add(3);
        CloseSeconds(1);

        Assert.Equal(3, _figures.ReadIngest().AcceptedTotal);
    }

    private void CloseSeconds(int seconds)
    {
        // One second at a time: each advance runs the figures' tick once, at the second's end.
        for (var i = 0; i < seconds; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    private static KeyValuePair<string, object?> Topic() => new("messaging.destination.name", "raw_events");

    private static KeyValuePair<string, object?>[] Lag(string from, int partition) =>
    [
        Topic(),
        new("messaging.consumer.group.name", "event_ingestors"),
        new("messaging.destination.partition.id", partition.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("clickstream.lag.from", from),
    ];
}
