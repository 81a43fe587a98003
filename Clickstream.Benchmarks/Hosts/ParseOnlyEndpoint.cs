using System.Text.Json;
using Clickstream.Contracts;

namespace Clickstream.Benchmarks.Hosts;

/// <summary>
/// The HTTP ceiling: the same routes on the same Kestrel set-up, doing nothing but parse the body into click events.
/// What any handler on this machine can at best answer under the same load.
/// </summary>
public static class ParseOnlyEndpoint
{
    public static async Task<LoopbackWebHost> StartAsync(CancellationToken cancellationToken)
    {
        var app = LoopbackWebHost.CreateBuilder(new Dictionary<string, string?>()).Build();
        app.MapPost("/events", async (HttpRequest request, CancellationToken ct) =>
        {
            var clickEvent = await JsonSerializer.DeserializeAsync<ClickEvent>(request.Body, cancellationToken: ct);
            return Results.Accepted(value: new { event_id = clickEvent!.EventId });
        });
        app.MapPost("/events/batch", async (HttpRequest request, CancellationToken ct) =>
        {
            var events = await JsonSerializer.DeserializeAsync<List<ClickEvent>>(request.Body, cancellationToken: ct);
            return Results.Accepted(value: new { accepted = events!.Count });
        });
        return await LoopbackWebHost.StartAsync(app, cancellationToken);
    }
}
