using Clickstream.Api.Apis;
using Clickstream.Api.Dashboard;
using Clickstream.Api.Docs;
using Clickstream.Api.Extensions;
using Clickstream.Api.Tracker;
using Clickstream.ServiceDefaults;
using Clickstream.ServiceDefaults.Hosting;

var builder = WebApplication.CreateBuilder(args);
// From here a SIGINT or SIGTERM stops the API cleanly, also while the standalone run still starts its servers.
using var stop = ProcessStop.Listen(builder.Configuration);
try
{
    builder.AddServiceDefaults();
    // Nothing configured: start Kafka and PostgreSQL here and run the whole pipeline in this process.
    await using var standalone = await builder.StartStandaloneInfrastructureAsync(stop);
    builder.AddClickstreamApi(hostConsumers: standalone.IsEmbedded);

    var app = builder.Build();
    app.UseClickstreamApi();
    app.MapEventsApi();
    app.MapStoredEventsApi();
    app.MapDefaultEndpoints();
    app.MapApiDocs();
    app.MapDashboard();
    app.MapTracker();
    app.LogWhereEverythingIs(standalone);
    return await app.RunUntilStoppedAsync(stop);
}
catch (OperationCanceledException) when (stop.Requested.IsCancellationRequested)
{
    return stop.StoppedWhileStarting();
}
catch (Exception e) when (StartupFailure.IsFixableByUser(e))
{
    return StartupFailure.Report(e);
}

/// <summary>Entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
