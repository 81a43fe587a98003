using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// A PostgreSQL server provisioned from the installed binaries, for the tests and the standalone run: initdb
/// into a folder it owns, postgres on 127.0.0.1, the <c>postgres</c> superuser with a generated password kept in the
/// folder (<see cref="EmbeddedPostgresCredentials"/>) and password authentication only: no passwordless superuser on TCP.
/// A watchdog stops it (and deletes a throwaway folder) if the owning process dies without disposing it.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string Host = "127.0.0.1";
    private const string Superuser = "postgres";
    private const string LogFileName = "server.log";
    private const int PortAttempts = 5;

    private readonly EmbeddedPostgresOptions options;
    private readonly PostmasterWatchdog watchdog;
    private readonly ILogger logger;
    private readonly bool throwaway;
    private int stopped;

    private EmbeddedPostgres(
        EmbeddedPostgresOptions options, PostgresBinaries binaries, PostmasterWatchdog watchdog, string dataDirectory, int port,
        EmbeddedPostgresCredentials credentials, ILogger logger)
    {
        this.options = options;
        this.watchdog = watchdog;
        this.logger = logger;
        throwaway = options.DataDirectory is null;
        DataDirectory = dataDirectory;
        Port = port;
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = port,
            Username = credentials.UserName,
            Password = credentials.Password,
            Database = options.Database,
            // Keeps the password in the connection strings Npgsql hands back (a data source's, a connection's): code that
            // passes those on, as tests do, still reaches this server. Only this process can read them.
            PersistSecurityInfo = true,
        }.ConnectionString;
        PasswordFile = EmbeddedPostgresCredentials.PathIn(dataDirectory);
        // The password stays in its owner-only file, out of the logs the command is printed to.
        PsqlCommand = $"PGPASSFILE={PasswordFile} {binaries.Psql} -h {Host} -p {port} -U {credentials.UserName} {options.Database}";
    }

    /// <summary>Npgsql connection string to <see cref="EmbeddedPostgresOptions.Database"/> as the superuser, password included.</summary>
    public string ConnectionString { get; }

    /// <summary>The TCP port the server listens on, on 127.0.0.1 only.</summary>
    public int Port { get; }

    /// <summary>The server's data folder; the server log is <c>server.log</c> in it.</summary>
    public string DataDirectory { get; }

    /// <summary>The libpq password file with the superuser's password (mode 0600), in the data folder.</summary>
    public string PasswordFile { get; }

    /// <summary>The shell command that opens a psql session on the database, for people: it reads the password from <see cref="PasswordFile"/>.</summary>
    public string PsqlCommand { get; }

    internal int ServerProcessId => watchdog.PostmasterPid;

    /// <summary>Initializes the data folder if needed, starts the server and waits until the database accepts connections.</summary>
    /// <exception cref="EmbeddedPostgresException">The binaries are missing, or the server did not start; the message says why.</exception>
    public static async Task<EmbeddedPostgres> StartAsync(
        EmbeddedPostgresOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        if (!OperatingSystem.IsLinux())
        {
            // It leans on /proc, POSIX signals and Debian's layout.
            throw new EmbeddedPostgresException(
                "The embedded PostgreSQL server runs on Linux only; use a running server instead: set "
                + "CLICKSTREAM_TEST_POSTGRES to its connection string for the tests, ConnectionStrings__Events for the app.");
        }

        var binaries = await PostgresBinaries.LocateAsync(options.BinDirectory, cancellationToken);
        var account = await PostgresServerAccount.DetectAsync(cancellationToken);
        ThrowawayDataFolders.SweepStale(logger);

        var ownerPid = options.OwnerProcessId ?? Environment.ProcessId;
        var dataDirectory = options.DataDirectory is null
            ? ThrowawayDataFolders.NewPath(ownerPid)
            : Path.GetFullPath(options.DataDirectory);
        try
        {
            await account.PrepareDataDirectoryAsync(dataDirectory, cancellationToken);
            var newFolder = !File.Exists(Path.Combine(dataDirectory, "PG_VERSION"));
            if (newFolder)
            {
                EmbeddedPostgresLog.Initializing(logger, dataDirectory, binaries.BinDirectory);
                await InitializeAsync(account, binaries, dataDirectory, options, cancellationToken);
            }
            var credentials = await EmbeddedPostgresAuthentication.EnsureAsync(
                account, binaries, dataDirectory, options, Superuser, newFolder, logger, cancellationToken);

            var launch = new Launch(options, binaries, account, dataDirectory, ownerPid, credentials, logger);
            var server = await LaunchAsync(launch, cancellationToken);
            EmbeddedPostgresLog.Started(logger, server.Port, server.ServerProcessId, dataDirectory, options.Durable, server.PsqlCommand);
            return server;
        }
        catch
        {
            DeleteThrowawayFolder(options, dataDirectory);
            throw;
        }
    }

    /// <summary>Starts postgres on an initialized folder; a failed attempt leaves the folder as it was.</summary>
    private static async Task<EmbeddedPostgres> LaunchAsync(Launch launch, CancellationToken cancellationToken)
    {
        var options = launch.Options;
        var logFile = Path.Combine(launch.DataDirectory, LogFileName);
        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port != 0 ? options.Port : FreeLoopbackPort();
            var watchdog = await PostmasterWatchdog.StartAsync(
                launch.Account.CommandLine(launch.Binaries.Postgres, PostgresArguments.Server(options, launch.DataDirectory, Host, port)),
                launch.OwnerPid,
                logFile,
                options.DataDirectory is null ? launch.DataDirectory : null,
                cancellationToken);
            var server = new EmbeddedPostgres(options, launch.Binaries, watchdog, launch.DataDirectory, port, launch.Credentials, launch.Logger);
            string? failure;
            try
            {
                failure = await server.WaitUntilAcceptingConnectionsAsync(cancellationToken);
                if (failure is null)
                {
                    await server.CreateDatabaseIfMissingAsync(cancellationToken);
                    return server;
                }
            }
            catch
            {
                await server.StopAsync(deleteThrowawayFolder: false);
                throw;
            }

            var log = server.ReadLog();
            await server.StopAsync(deleteThrowawayFolder: false);
            if (options.Port == 0 && attempt < PortAttempts && log.Contains("Address already in use", StringComparison.Ordinal))
            {
                // Another process took the port between our probe and postgres binding it.
                EmbeddedPostgresLog.PortTaken(launch.Logger, port);
                continue;
            }

            throw new EmbeddedPostgresException($"{failure}. Last lines of its log ({logFile}):{Environment.NewLine}{Tail(log)}");
        }
    }

    /// <summary>Fast shutdown (open sessions are ended), then the throwaway folder is deleted. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (await StopAsync(deleteThrowawayFolder: true))
        {
            EmbeddedPostgresLog.Stopped(logger, Port, DataDirectory, throwaway ? "deleted" : "kept");
        }
    }

    /// <summary>False when the server was already stopped.</summary>
    private async Task<bool> StopAsync(bool deleteThrowawayFolder)
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return false;
        }

        if (deleteThrowawayFolder)
        {
            watchdog.StopAndRelease();
        }
        else
        {
            watchdog.StopKeepingFolder();
        }

        if (!await watchdog.WaitForExitAsync(options.StopTimeout))
        {
            EmbeddedPostgresLog.KillingServer(logger, Port, options.StopTimeout);
            watchdog.KillServer();
            await watchdog.WaitForExitAsync(options.StopTimeout);
        }

        watchdog.Dispose();
        if (deleteThrowawayFolder)
        {
            DeleteThrowawayFolder(options, DataDirectory); // normally the watchdog's rm has done it already
        }

        return true;
    }

    /// <summary>
    /// initdb into a staging folder beside the data folder, moved into place once complete: a start stopped (or killed)
    /// halfway leaves no half-made data folder that later starts would take for a cluster.
    /// </summary>
    private static async Task InitializeAsync(
        PostgresServerAccount account, PostgresBinaries binaries, string dataDirectory, EmbeddedPostgresOptions options, CancellationToken cancellationToken)
    {
        var staging = dataDirectory + ".initdb";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true); // what an interrupted start left
        }
        await account.PrepareDataDirectoryAsync(staging, cancellationToken);
        var initdb = await account.RunAsync(binaries.InitDb, PostgresArguments.InitDb(staging, options, Superuser), cancellationToken);
        if (!initdb.Succeeded)
        {
            Directory.Delete(staging, recursive: true);
            throw new EmbeddedPostgresException($"initdb failed for '{dataDirectory}' (exit code {initdb.ExitCode}):{Environment.NewLine}{initdb.Output}");
        }

        if (Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            Directory.Delete(staging, recursive: true);
            throw new EmbeddedPostgresException(
                $"'{dataDirectory}' holds files but no PostgreSQL cluster (no PG_VERSION): empty it, or name another data folder.");
        }
        Directory.Delete(dataDirectory);
        Directory.Move(staging, dataDirectory);
    }

    /// <summary>Null once the server accepts connections, otherwise why it never will.</summary>
    private async Task<string?> WaitUntilAcceptingConnectionsAsync(CancellationToken cancellationToken)
    {
        var probe = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false, Timeout = 5 }.ConnectionString;
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            if (watchdog.HasExited)
            {
                return $"PostgreSQL exited while starting on {Host}:{Port}";
            }

            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync(cancellationToken);
                return null;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
            {
                // Waiting would not help: the folder's password file and the server disagree.
                return $"PostgreSQL on {Host}:{Port} refused the superuser's password from {PasswordFile} ({e.MessageText})";
            }
            catch (NpgsqlException) when (elapsed.Elapsed < options.StartTimeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
            catch (NpgsqlException e)
            {
                return $"PostgreSQL did not accept connections on {Host}:{Port} within {options.StartTimeout} ({e.Message})";
            }
        }
    }

    private async Task CreateDatabaseIfMissingAsync(CancellationToken cancellationToken)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(maintenance);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
        {
            Parameters = { new() { Value = options.Database } },
        };
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }

        try
        {
            var quoted = "\"" + options.Database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
            EmbeddedPostgresLog.CreatedDatabase(logger, options.Database);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another process sharing this persistent folder created it first.
        }
    }

    private string ReadLog()
    {
        try
        {
            using var stream = new FileStream(Path.Combine(DataDirectory, LogFileName), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException e)
        {
            return $"(no server log: {e.Message})";
        }
    }

    private static string Tail(string log) =>
        string.Join(Environment.NewLine, log.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(30));

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void DeleteThrowawayFolder(EmbeddedPostgresOptions options, string dataDirectory)
    {
        if (options.DataDirectory is not null)
        {
            return;
        }

        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Never created, or already deleted by the watchdog.
        }
    }

    private sealed record Launch(
        EmbeddedPostgresOptions Options,
        PostgresBinaries Binaries,
        PostgresServerAccount Account,
        string DataDirectory,
        int OwnerPid,
        EmbeddedPostgresCredentials Credentials,
        ILogger Logger);
}
