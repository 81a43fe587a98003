using Clickstream.Api.Apis;
using Clickstream.Api.Docs;
using Clickstream.Api.Extensions;
using Clickstream.Api.Health;

var builder = WebApplication.CreateBuilder(args);
try
{
    // Nothing configured: start Kafka and PostgreSQL here and run the whole pipeline in this process.
    await using var standalone = await builder.StartStandaloneInfrastructureAsync();
    builder.AddClickstreamApi(hostConsumers: standalone.IsEmbedded);

    var app = builder.Build();
    app.UseClickstreamApi();
    app.MapEventsApi();
    app.MapStoredEventsApi();
    app.MapHealthApi();
    app.MapApiDocs();
    app.LogWhereEverythingIs(standalone);
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (StartupFailure.IsFixableByUser(e))
{
    return StartupFailure.Report(e);
}

/// <summary>Entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
