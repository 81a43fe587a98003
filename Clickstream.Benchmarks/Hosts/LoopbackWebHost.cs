using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Clickstream.Benchmarks.Hosts;

/// <summary>
/// Every HTTP endpoint under test (the API and the ceilings' trivial endpoints) runs on the same Kestrel set-up:
/// default limits, HTTP/1.1, 127.0.0.1 on a free port, warnings-only logging. Only the handler differs, so the ratios
/// compare handlers, not server settings.
/// </summary>
public sealed class LoopbackWebHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoopbackWebHost(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Warnings only, whatever the appsettings say: the progress line shares stderr with the logs.</summary>
    public static IReadOnlyDictionary<string, string?> Quiet { get; } = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Clickstream"] = "Warning",
    };

    public IServiceProvider Services => app.Services;

    public static WebApplicationBuilder CreateBuilder(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        // Logging levels from any appsettings.json copied next to the assemblies would make the progress line unreadable.
        builder.Configuration.AddInMemoryCollection(Quiet);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        return builder;
    }

    public static async Task<LoopbackWebHost> StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackWebHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}
