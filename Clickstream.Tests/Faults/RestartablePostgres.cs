using Clickstream.Consumers.Storage;
using Clickstream.Tests.EndToEnd;
using Clickstream.Tests.Infrastructure;

namespace Clickstream.Tests.Faults;

/// <summary>
/// A PostgreSQL server of the test's own (<see cref="EmbeddedPostgres"/> on a fixed port and a kept folder), so it can
/// crash (<c>pg_ctl stop -m immediate</c>: no checkpoint, every session cut, as when the server dies) and come back on
/// the same address with the same data, as after a restart in production.
/// </summary>
internal sealed class RestartablePostgres : IAsyncDisposable
{
    private readonly EmbeddedPostgresOptions _options;
    private EmbeddedPostgres? _server;

    private RestartablePostgres(EmbeddedPostgresOptions options) => _options = options;

    /// <summary>The connection string the server gives (its credentials are its own); the same after a restart.</summary>
    public string ConnectionString { get; private set; } = "";

    public bool IsRunning => _server is not null;

    public static async Task<RestartablePostgres> StartAsync()
    {
        // Under /tmp: when the tests run as root, PostgreSQL runs as the postgres user and must reach the folder.
        var folder = Path.Combine(Path.GetTempPath(), $"clickstream-faults-{Guid.NewGuid():N}");
        var postgres = new RestartablePostgres(TestPostgres.ThrowawayServerOptions with { DataDirectory = folder, Port = StandaloneApp.FreePort() });
        await postgres.StartAgainAsync();
        return postgres;
    }

    /// <summary>Immediate shutdown: the postmaster and its backends quit at once; the next start runs crash recovery.</summary>
    public async Task StopImmediatelyAsync()
    {
        var server = _server ?? throw new InvalidOperationException("The server is not running.");
        var binaries = await PostgresBinaries.LocateAsync(_options.BinDirectory, CancellationToken.None);
        // pg_ctl refuses to run as root: as the account the server runs as (postgres, when the tests are root).
        var account = await PostgresServerAccount.DetectAsync(CancellationToken.None);
        var stop = await account.RunAsync(Path.Combine(binaries.BinDirectory, "pg_ctl"),
            ["stop", "-D", server.DataDirectory, "-m", "immediate", "-w", "-t", "60"], CancellationToken.None);
        Assert.True(stop.Succeeded, $"pg_ctl stop -m immediate failed ({stop.ExitCode}): {stop.Output}");
        // The server is gone already; this only lets the embedded server's watchdog go, keeping the folder.
        await server.DisposeAsync();
        _server = null;
    }

    /// <summary>Starts the server on its port and folder (after <see cref="StopImmediatelyAsync"/>, with crash recovery).</summary>
    public async Task StartAgainAsync()
    {
        Assert.Null(_server);
        _server = await EmbeddedPostgres.StartAsync(_options);
        ConnectionString = _server.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        if (Directory.Exists(_options.DataDirectory))
        {
            Directory.Delete(_options.DataDirectory, recursive: true);
        }
    }
}
