using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Api;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Clickstream.Tests.Telemetry;

/// <summary>
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, the API process sends its traces and metrics over OTLP (HTTP/protobuf),
/// to a stand-in collector on 127.0.0.1 that keeps what it receives.
/// </summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task An_api_with_an_otlp_endpoint_exports_the_request_and_produce_spans_and_its_metrics_there()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 1, [Topics.RawEventsDeadLetter] = 1 } });
        await using var api = ServiceProcess.Start("Clickstream.Api", "The API", new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = broker.BootstrapServers,
            ["Standalone__Enabled"] = "false",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "clickstream-api-under-test",
            // Export within a second rather than the defaults' 5 s (spans) and 60 s (metrics).
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        await api.WaitUntilReadyAsync();
        using var client = new HttpClient { BaseAddress = api.Address };

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/events", ApiRequests.Json(ClickEvents.Create(0)))).StatusCode);

        // OTLP is protobuf; its strings (span names, metric names, attribute values) are UTF-8 bytes in the body.
        await Eventually.HoldsAsync(() => collector.Received("/v1/traces", "send raw_events") && collector.Received("/v1/traces", "POST /events"),
            () => $"No OTLP trace export with the produce and request spans; paths received: {collector.Paths}\n{api.Tail}");
        await Eventually.HoldsAsync(() => collector.Received("/v1/metrics", "clickstream.api.events.accepted"),
            () => $"No OTLP metrics export with clickstream.api.events.accepted; paths received: {collector.Paths}\n{api.Tail}");
        Assert.True(collector.Received("/v1/traces", "clickstream-api-under-test"), "The spans do not carry OTEL_SERVICE_NAME.");
    }

    /// <summary>An OTLP/HTTP receiver that accepts everything and keeps the bodies by path.</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();

        private OtlpCollector(WebApplication app) => _app = app;

        public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        public string Paths => string.Join(", ", _received.Select(r => r.Path).Distinct());

        public static async Task<OtlpCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var collector = new OtlpCollector(app);
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                collector._received.Enqueue((context.Request.Path.Value!, body.ToArray()));
                // An empty protobuf message: the export succeeded.
                context.Response.ContentType = "application/x-protobuf";
                return Results.Ok();
            });
            await app.StartAsync();
            return collector;
        }

        public bool Received(string path, string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            return _received.Any(r => r.Path == path && r.Body.AsSpan().IndexOf(bytes) >= 0);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
