using Clickstream.Consumers.Hosting;
using Clickstream.ServiceDefaults;
using Clickstream.ServiceDefaults.Hosting;

namespace Clickstream.Consumers;

/// <summary>The worker: stores the click events of the Kafka topic in PostgreSQL.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        // From here a SIGINT or SIGTERM stops the worker cleanly, also while it still waits for its database.
        using var stop = ProcessStop.Listen(builder.Configuration);
        try
        {
            builder.AddServiceDefaults();
            builder.Services.AddClickstreamConsumers();
            var app = builder.Build();
            app.MapDefaultEndpoints();
            return await app.RunUntilStoppedAsync(stop);
        }
        catch (Exception e) when (StartupFailure.IsFixableByUser(e))
        {
            return StartupFailure.Report(e);
        }
    }
}
