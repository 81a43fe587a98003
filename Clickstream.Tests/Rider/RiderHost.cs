using Clickstream.Kafka;
using Clickstream.Kafka.Configuration;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clickstream.Tests.Rider;

/// <summary>A generic host running a MassTransit bus (in-memory transport) with the Kafka rider, as a service would.</summary>
internal sealed class RiderHost : IAsyncDisposable
{
    private readonly IHost _host;

    private RiderHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IKafkaRider Rider
    {
        get
        {
            using var scope = _host.Services.CreateScope();
            return scope.ServiceProvider.GetRequiredService<IKafkaRider>();
        }
    }

    public T GetScoped<T>() where T : notnull
    {
        // Producers and the rider are scoped wrappers around singletons: resolving them outside a request is fine.
        using var scope = _host.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<T>();
    }

    public static async Task<RiderHost> StartAsync(string bootstrapServers, Action<IRiderRegistrationConfigurator> registerRider,
        Action<IRiderRegistrationContext, IKafkaFactoryConfigurator> configureKafka, Action<IServiceCollection>? services = null,
        TimeSpan? shutdownTimeout = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(LogLevel.Warning);
        services?.Invoke(builder.Services);
        builder.Services.AddMassTransit(x =>
        {
            x.UsingInMemory();
            x.AddRider(rider =>
            {
                registerRider(rider);
                rider.UsingKafka((context, k) =>
                {
                    k.Host(bootstrapServers);
                    // The embedded broker waits session.timeout.ms - 1 s on every rebalance after a member left:
                    // keep it short, and notice rebalances quickly.
                    k.ConsumerSettings["session.timeout.ms"] = "6000";
                    k.ConsumerSettings["heartbeat.interval.ms"] = "500";
                    configureKafka(context, k);
                });
            });
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout ?? TimeSpan.FromMinutes(1));
        var host = builder.Build();
        await host.StartAsync();
        return new RiderHost(host);
    }

    /// <summary>Stops like a crash: in-flight work is abandoned and nothing more is committed.</summary>
    public async Task AbortAsync()
    {
        await ((KafkaRider)Rider).AbortAsync();
        _host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
