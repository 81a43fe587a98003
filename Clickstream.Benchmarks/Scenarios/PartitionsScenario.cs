using System.Diagnostics;
using System.Globalization;
using Clickstream.Benchmarks.Hosts;
using Clickstream.Benchmarks.Infrastructure;
using Clickstream.Benchmarks.Load;
using Clickstream.Benchmarks.Reporting;
using Clickstream.Consumers.Storage;

namespace Clickstream.Benchmarks.Scenarios;

/// <summary>
/// partitions: the partitioned table after weeks of use (60 daily partitions by default, the past ones full) beside a
/// single table with the same rows. Measured: GET /events/{id} on each (the API's read-back, which probes every
/// partition: an id alone does not say which holds it); COPY into today's partition, then the same while the worker's
/// maintenance drops the oldest partition (the COPY's longest pause); and the upgrade of the populated single table to
/// the partitioned schema, in seconds per million rows.
/// </summary>
public static class PartitionsScenario
{
    private const int LookupIds = 1000;

    public static async Task RunAsync(BenchmarkRun run)
    {
        var o = run.Options;
        var infrastructure = run.Infrastructure;
        var partitioned = infrastructure.Partitioned;
        var single = await infrastructure.SingleTableAsync(run.CancellationToken);
        run.Tunables["table partitions"] = o.TablePartitions.ToString(CultureInfo.InvariantCulture);
        run.Tunables["rows per past partition"] = o.RowsPerPartition.ToString(CultureInfo.InvariantCulture);
        run.Tunables["connections"] = o.Connections.ToString(CultureInfo.InvariantCulture);
        run.Tunables["COPY batch"] = o.ConsumerBatchSize.ToString(CultureInfo.InvariantCulture);

        run.Progress.Phase($"making {o.TablePartitions} daily partitions and filling them, and a single table with the same rows");
        var clock = Stopwatch.StartNew();
        var rows = await DailyPartitions.FillAsync(partitioned, single, o.TablePartitions, o.RowsPerPartition, run.CancellationToken);
        var partitions = (await DailyPartitions.ListAsync(partitioned, run.CancellationToken)).Count(p => !p.IsDefault);
        run.Progress.Write($"  {partitions} partitions, {rows:N0} rows in each layout, in {clock.Elapsed.TotalSeconds:F1}s");
        run.Tunables["rows"] = rows.ToString(CultureInfo.InvariantCulture);

        var ids = await DailyPartitions.SampleIdsAsync(partitioned, LookupIds, run.CancellationToken);
        var lookups = await run.MeasureAsync($"GET /events/{{id}} with {partitions} partitions", () => LookupsAsync(run, partitioned, ids, partitions));
        var singleLookups = await run.MeasureAsync("GET /events/{id} on the single table", () => LookupsAsync(run, single, ids, partitions));
        run.Ratio(lookups, singleLookups);
        // An id not stored (yet): a client polling for its event, the worst case (near its id's time, then everywhere).
        var missing = ids.Select(_ => Guid.CreateVersion7()).ToList();
        run.Ratio(await run.MeasureAsync($"GET /events/{{id}} of events not stored, {partitions} partitions",
            () => LookupsAsync(run, partitioned, missing, partitions, stored: false)), singleLookups);

        var copy = await run.MeasureAsync("COPY into today's partition", () => PartitionedCopy.RunAsync(run, partitioned, dropOldest: false));
        var copyWhileDropping = await run.MeasureAsync("COPY while the maintenance drops the oldest partition",
            () => PartitionedCopy.RunAsync(run, partitioned, dropOldest: true));
        run.Ratio(copyWhileDropping, copy);

        await run.MeasureAsync($"upgrade of a single table of {rows:N0} rows to the partitioned schema", () => UpgradeAsync(single, rows, run));
    }

    private static async Task<PhaseResult> LookupsAsync(BenchmarkRun run, EventsDatabase database, List<Guid> ids, int partitions, bool stored = true)
    {
        var o = run.Options;
        await using var api = await PipelineApi.StartAsync(run.Infrastructure.Broker.BootstrapServers, o.LingerMs, run.CancellationToken,
            eventsConnectionString: database.ConnectionString);
        // One unmeasured lookup first: this host's first (EF Core's model, JIT) takes longer than a short warm-up.
        using (var client = new HttpClient { BaseAddress = api.BaseAddress })
        {
            using var first = await client.GetAsync($"events/{ids[0]}", run.CancellationToken);
        }
        var next = -1;
        var load = await HttpLoad.RunAsync(
            () => new HttpRequestMessage(HttpMethod.Get, new Uri(api.BaseAddress, $"events/{ids[(int)((uint)Interlocked.Increment(ref next) % ids.Count)]}")),
            eventsPerRequest: 1, o.Connections, o.Warmup, o.Duration, run.Progress, run.CancellationToken);
        var name = database.Partitioned ? $"GET /events/{{id}}, {partitions} partitions" : "GET /events/{id}, single table";
        var result = BenchmarkRun.FromHttp(stored ? name : name + ", not stored", database.Partitioned ? "pipeline" : "baseline", load, inEvents: false);
        // A 404 is the answer sought for an event not stored: counted as answered.
        var answered = load.Outcomes.GetValueOrDefault(stored ? "200" : "404");
        return result with { Throughput = answered / load.Measured.TotalSeconds, Figures = new(result.Figures) { ["requests/s"] = answered / load.Measured.TotalSeconds, ["ids"] = ids.Count } };
    }

    // The single table made into schema version 2 (its key the event id alone, the version recorded), then upgraded
    // by the worker's own code, timed, and every row counted after.
    private static async Task<PhaseResult> UpgradeAsync(EventsDatabase single, long rows, BenchmarkRun run)
    {
        await using (var command = single.DataSource.CreateCommand("""
            ALTER TABLE events DROP CONSTRAINT events_pkey;
            ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (event_id);
            DELETE FROM clickstream_schema WHERE version = 3
            """))
        {
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(run.CancellationToken);
        }
        var cpu = CpuMeter.Start(run.Infrastructure.Postgres?.DataDirectory);
        var clock = Stopwatch.StartNew();
        var (before, after) = await EventsSchema.UpgradeAsync(single.DataSource, run.CancellationToken);
        var elapsed = clock.Elapsed;
        var used = cpu.Elapsed();
        var stored = await EventsTable.CountAsync(single.DataSource, run.CancellationToken);
        if (before != 2 || after != EventsSchema.CurrentVersion || stored != rows)
        {
            throw new InvalidOperationException($"The upgrade went from version {before} to {after} and kept {stored:N0} of {rows:N0} rows.");
        }
        return new PhaseResult
        {
            Name = "upgrade to partitioned", Role = "pipeline", Unit = "rows/s", Throughput = rows / elapsed.TotalSeconds,
            Figures = new(used.PerRow(rows, "upgrade"))
            {
                ["rows"] = rows,
                ["rows kept"] = stored,
                ["seconds"] = elapsed.TotalSeconds,
                ["seconds per million rows"] = elapsed.TotalSeconds / rows * 1_000_000,
            },
        };
    }
}
