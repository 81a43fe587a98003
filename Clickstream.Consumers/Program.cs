using Clickstream.Consumers.Configuration;
using Clickstream.Consumers.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddLegacyEnvironmentNames();
// From here a SIGINT or SIGTERM stops the worker cleanly, also while it still waits for its database.
using var stop = ProcessStop.Listen(builder.Configuration);
try
{
    builder.Services.AddClickstreamConsumers();
    var app = builder.Build();
    app.MapClickstreamHealth();
    return await app.RunUntilStoppedAsync(stop);
}
catch (Exception e) when (StartupFailure.IsFixableByUser(e))
{
    return StartupFailure.Report(e);
}
