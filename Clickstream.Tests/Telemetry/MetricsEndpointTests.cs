using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Serialization;
using Clickstream.Tests.Api;
using Clickstream.Tests.Consumers;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Kafka;
using Clickstream.Tests.Support;
using Confluent.Kafka;

namespace Clickstream.Tests.Telemetry;

/// <summary>
/// <c>/metrics</c> of both hosts, run as processes the way a deployment runs them, after known traffic: the values a
/// Prometheus scrape reads, and every series the Grafana dashboard in deploy/ queries.
/// </summary>
public sealed partial class MetricsEndpointTests
{
    // Series that exist only once their event happened (a 503, a store retry): their values are asserted in
    // ApiMetricsTests and StoreMetricsTests; here it is enough that the dashboard spells them as those tests' instruments do.
    private static readonly string[] OnlyAfterAFailure = ["clickstream_api_unavailable_total", "clickstream_store_retries_total"];

    [Fact]
    public async Task Both_hosts_expose_their_pipeline_figures_in_prometheus_text_and_the_dashboard_queries_only_series_they_expose()
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = PipelineProbe.Partitions, [Topics.RawEventsDeadLetter] = 1 } });
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var worker = ServiceProcess.Start("Clickstream.Consumers", "The worker", new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = broker.BootstrapServers,
            ["Kafka__ConsumerSettings__session.timeout.ms"] = "6000",
            ["ConnectionStrings__Events"] = database,
            ["Ingestion__TimeLimit"] = "00:00:00.200",
        });
        await using var api = ServiceProcess.Start("Clickstream.Api", "The API", new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = broker.BootstrapServers,
            ["Standalone__Enabled"] = "false",
        });
        await Task.WhenAll(worker.WaitUntilReadyAsync(), api.WaitUntilReadyAsync());
        using var client = new HttpClient { BaseAddress = api.Address };

        // Known traffic: 5 events accepted in a batch and 1 alone, a batch of 3 refused whole for one invalid event.
        var accepted = ClickEvents.Many(6);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/events/batch", ApiRequests.Json(accepted.Take(5)))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/events", ApiRequests.Json(accepted[5]))).StatusCode);
        var refused = ApiRequests.BatchWith(3, (i, e) => { if (i == 1) e["user_id"] = -1; });
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/events/batch", ApiRequests.Json(refused))).StatusCode);
        // And from another producer: one event twice (a redelivery), one message that is not JSON, and one row
        // PostgreSQL refuses (over the btree row limit of an index: 54000).
        using (var producer = KafkaTestClients.Producer(broker.BootstrapServers))
        {
            var again = JsonSerializer.Serialize(accepted[0], WireJson.Options);
            var unstorable = JsonSerializer.Serialize(ClickEvents.Create(100) with { EventType = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 4_000) }, WireJson.Options);
            await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents,
            [
                new() { Key = accepted[0].UserId.ToString(CultureInfo.InvariantCulture), Value = again },
                new() { Key = "poison", Value = "{not json" },
                new() { Key = "100", Value = unstorable },
            ]);
        }

        Dictionary<string, double> apiSeries = [], workerSeries = [];
        await Eventually.HoldsAsync(async () =>
        {
            (apiSeries, workerSeries) = (await ScrapeAsync(api.Address), await ScrapeAsync(worker.Address));
            return Sum(workerSeries, "clickstream_store_rows_inserted_total") == 6
                && Sum(workerSeries, "clickstream_kafka_dead_letters_total") == 2
                && Sum(workerSeries, "clickstream_kafka_partition_lag", "clickstream_lag_from=\"committed\"") == 0
                && Sum(workerSeries, "clickstream_kafka_commits_total", "outcome=\"ok\"") >= 1;
        }, () => $"The worker's /metrics never showed 6 rows, 2 dead letters, no lag and a commit:\n{string.Join('\n', workerSeries.Where(s => s.Key.StartsWith("clickstream", StringComparison.Ordinal)))}");

        Assert.Equal(6, Sum(apiSeries, "clickstream_api_events_accepted_total"));
        Assert.Equal(9, Sum(apiSeries, "clickstream_api_events_received_total"));
        Assert.Equal(3, Sum(apiSeries, "clickstream_api_events_refused_total", "reason=\"invalid\""));
        Assert.Equal(6, Sum(apiSeries, "messaging_client_sent_messages_total", "messaging_destination_name=\"raw_events\""));
        Assert.Equal(2, Sum(apiSeries, "http_server_request_duration_seconds_count", "http_route=\"/events/batch\""));
        Assert.Equal(1, Sum(workerSeries, "clickstream_store_rows_duplicate_total"));
        Assert.Equal(1, Sum(workerSeries, "clickstream_store_rows_dead_lettered_total", "db_response_status_code=\"54000\""));
        Assert.Equal(9, Sum(workerSeries, "messaging_client_consumed_messages_total"));
        Assert.True(Sum(workerSeries, "process_cpu_time_seconds_total") > 0);

        var exposed = apiSeries.Keys.Concat(workerSeries.Keys).Select(s => s.Split('{')[0]).ToHashSet();
        var queried = DashboardQueries().SelectMany(SeriesNames).ToHashSet();
        Assert.NotEmpty(queried);
        Assert.All(queried.Except(OnlyAfterAFailure), name => Assert.True(exposed.Contains(name), $"The dashboard queries {name}, which neither host exposes."));
    }

    // Series (name with labels) → value, from the Prometheus text format.
    private static async Task<Dictionary<string, double>> ScrapeAsync(Uri host)
    {
        using var client = new HttpClient { BaseAddress = host };
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var series = new Dictionary<string, double>();
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            // name{labels} value [timestamp]; label values here never contain "} ".
            var end = line.IndexOf("} ", StringComparison.Ordinal) is var brace and >= 0 ? brace + 1 : line.IndexOf(' ');
            var value = line[(end + 1)..].Split(' ')[0];
            series[line[..end]] = double.Parse(value, CultureInfo.InvariantCulture);
        }
        return series;
    }

    private static double Sum(Dictionary<string, double> series, string name, string? label = null) =>
        series.Where(s => (s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal)) && (label is null || s.Key.Contains(label, StringComparison.Ordinal)))
            .Sum(s => s.Value);

    private static IEnumerable<string> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(
            Path.Combine(RepositoryFolder.Path, "deploy", "observability", "grafana", "dashboards", "clickstream.json")));
        return dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
    }

    private static readonly HashSet<string> PromQlWords = ["sum", "rate", "increase", "max", "by", "histogram_quantile"];

    // The series a PromQL query reads: its identifiers once label matchers ({...}), groupings (by (...)), ranges
    // ([1m]) and numbers are taken out, less PromQL's own words.
    private static IEnumerable<string> SeriesNames(string query) =>
        Identifier().Matches(NotSeries().Replace(query, " ")).Select(m => m.Value).Where(word => !PromQlWords.Contains(word));

    [GeneratedRegex(@"\{[^}]*\}|by \([^)]*\)|\[[^\]]*\]|\b[0-9.]+\b")]
    private static partial Regex NotSeries();

    [GeneratedRegex(@"[a-z_][a-z0-9_]*")]
    private static partial Regex Identifier();
}
