using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clickstream.ServiceDefaults.Hosting;

/// <summary>Runs a host the way <c>Run</c> does, except that every stop is bounded and a stop while starting is a clean stop.</summary>
public static class BoundedRun
{
    /// <summary>
    /// Starts the host, waits for a stop, stops and disposes it; returns the process exit code (0 for a stop on a signal,
    /// also one that came while the host was still starting: its start-up work is canceled, not failed). The host's
    /// <see cref="HostOptions.ShutdownTimeout"/> bounds the stop, counted from the moment it began.
    /// </summary>
    public static async Task<int> RunUntilStoppedAsync(this IHost host, ProcessStop stop)
    {
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Clickstream.Stop");
        stop.Bound = host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
        // A signal may have come before the host listens for one itself (it does from StartAsync on).
        await using var forward = stop.Requested.Register(lifetime.StopApplication);
        await using var begin = lifetime.ApplicationStopping.Register(stop.Begin);
        try
        {
            try
            {
                await host.StartAsync(stop.Requested);
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested || stop.Requested.IsCancellationRequested)
            {
                // The host stops what had started; what was waiting (the database, say) was only waiting.
                return stop.StoppedWhileStarting();
            }

            await host.WaitForShutdownAsync();
            return stop.ExitCode;
        }
        catch (Exception e) when (lifetime.ApplicationStopping.IsCancellationRequested && IsAbandonment(e))
        {
            HostingLog.AbandonedAtTimeout(logger, e);
            return stop.ExitCode;
        }
        finally
        {
            await DisposeAsync(host);
        }
    }

    // The host's ShutdownTimeout ran out and the services gave up the work they were waiting on: a bounded stop.
    private static bool IsAbandonment(Exception e) => e switch
    {
        OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsAbandonment),
        _ => false,
    };

    private static async ValueTask DisposeAsync(IHost host)
    {
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }
}
