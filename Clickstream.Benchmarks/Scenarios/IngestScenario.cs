using Clickstream.Benchmarks.Ceilings;
using Clickstream.Benchmarks.Hosts;
using Clickstream.Benchmarks.Load;
using Clickstream.Benchmarks.Reporting;

namespace Clickstream.Benchmarks.Scenarios;

/// <summary>
/// ingest-single and ingest-batch: the same closed-loop HTTP load on the API and on the ceilings' trivial endpoints,
/// with the same payloads, one after the other (never at once: they would share the 2 cores).
/// </summary>
public static class IngestScenario
{
    public static async Task RunAsync(BenchmarkRun run, bool batch)
    {
        var o = run.Options;
        var payloads = batch ? ClickEventPayloads.Batch(o.BatchSize) : ClickEventPayloads.Single();
        var path = batch ? "events/batch" : "events";
        var bootstrap = run.Infrastructure.Broker.BootstrapServers;
        run.Tunables["connections"] = o.Connections.ToString(System.Globalization.CultureInfo.InvariantCulture);
        run.Tunables["events per request"] = payloads.EventsPerBody.ToString(System.Globalization.CultureInfo.InvariantCulture);
        run.Tunables["body bytes"] = payloads.BodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);

        PhaseResult? httpCeiling = null, ackCeiling = null, brokerCeiling = null;
        if (!o.SkipCeilings)
        {
            brokerCeiling = await run.MeasureAsync("broker ceiling (raw Confluent produce, no HTTP)", async () =>
            {
                var result = await BrokerCeiling.RunAsync(bootstrap, o.LingerMs, ClickEventPayloads.Single(), o.Duration, run.Progress, run.CancellationToken);
                return new PhaseResult
                {
                    Name = "broker ceiling", Role = "ceiling", Throughput = result.MessagesPerSecond, Unit = "events/s",
                    Figures = new() { ["acked"] = result.Acked, ["failed"] = result.Failed, ["seconds"] = result.Elapsed.TotalSeconds },
                };
            });
            httpCeiling = await run.MeasureAsync("HTTP ceiling (Kestrel, parse only)", () => HttpPhaseAsync(
                run, "HTTP ceiling", "ceiling", ParseOnlyEndpoint.StartAsync(run.CancellationToken), path, payloads, batch));
            ackCeiling = await run.MeasureAsync("acknowledged-ingestion ceiling (parse + plain Confluent producer, awaited ack)", () => HttpPhaseAsync(
                run, "ack ceiling", "ceiling", PlainProducerEndpoint.StartAsync(bootstrap, o.LingerMs, run.CancellationToken), path, payloads, batch));
        }

        if (o.CompareTelemetryOff)
        {
            // The API's code keeps getting faster for tens of seconds of load (tiered JIT starved of its two cores by the
            // load): a cold first phase would be charged to whichever variant runs first. Warm up, then alternate.
            run.Progress.Phase("warm-up: the API under load, unmeasured");
            await using (var warm = await PipelineApi.StartAsync(bootstrap, o.LingerMs, run.CancellationToken))
            {
                await HttpLoad.RunAsync(new Uri(warm.BaseAddress, path), payloads, o.Connections, o.Warmup, TelemetryWarmup, run.Progress, run.CancellationToken);
            }
        }

        var api = await run.MeasureAsync("pipeline: Clickstream.Api (validation, MassTransit rider producer)", () => HttpPhaseAsync(
            run, "api", "pipeline", PipelineApi.StartAsync(bootstrap, o.LingerMs, run.CancellationToken), path, payloads, batch));

        if (o.CompareTelemetryOff)
        {
            await CompareTelemetryOffAsync(run, api, bootstrap, path, payloads, batch);
        }

        run.Ratio(api, ackCeiling);
        run.Ratio(api, httpCeiling);
        if (brokerCeiling is not null)
        {
            // The broker ceiling counts events, so compare events.
            run.Ratios.Add(new CeilingRatio(api.Name + " (events/s)", brokerCeiling.Name, api.Figures["requests/s"] * payloads.EventsPerBody / brokerCeiling.Throughput));
        }
    }

    private static readonly TimeSpan TelemetryWarmup = TimeSpan.FromSeconds(20);

    // on (the api phase), off, on, off: the ratio of the two sums, so a drift during the run falls on both sides.
    private static async Task CompareTelemetryOffAsync(BenchmarkRun run, PhaseResult firstOn, string bootstrap, string path, ClickEventPayloads payloads, bool batch)
    {
        var o = run.Options;
        Task<PhaseResult> Phase(string name, bool telemetry) => run.MeasureAsync($"pipeline: Clickstream.Api, {name}", () => HttpPhaseAsync(
            run, $"api ({name})", telemetry ? "pipeline" : "baseline",
            PipelineApi.StartAsync(bootstrap, o.LingerMs, run.CancellationToken, telemetry: telemetry), path, payloads, batch));
        var firstOff = await Phase("telemetry off", telemetry: false);
        var secondOn = await Phase("telemetry on, again", telemetry: true);
        var secondOff = await Phase("telemetry off, again", telemetry: false);
        run.Ratios.Add(new CeilingRatio("api, telemetry on (2 phases)", "api, telemetry off (2 phases)",
            (firstOn.Throughput + secondOn.Throughput) / (firstOff.Throughput + secondOff.Throughput)));
    }

    private static async Task<PhaseResult> HttpPhaseAsync(
        BenchmarkRun run, string name, string role, Task<LoopbackWebHost> starting, string path, ClickEventPayloads payloads, bool inEvents)
    {
        await using var host = await starting;
        var o = run.Options;
        var load = await HttpLoad.RunAsync(new Uri(host.BaseAddress, path), payloads, o.Connections, o.Warmup, o.Duration, run.Progress, run.CancellationToken);
        return BenchmarkRun.FromHttp(name, role, load, inEvents);
    }
}
