using System.Collections.Concurrent;
using Clickstream.Consumers.Storage;
using Npgsql;

namespace Clickstream.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server of the test run: one per run, started on first use and shared by every test class.
/// Tests isolate their data by asking for a database of their own, so classes can run in parallel.
/// Set <c>CLICKSTREAM_TEST_POSTGRES</c> to a connection string to use a running server instead.
/// </summary>
public static class TestPostgres
{
    public const string ConnectionStringVariable = "CLICKSTREAM_TEST_POSTGRES";

    // xunit 2 has no assembly fixture, so the run's server is a lazily started singleton.
    private static readonly Lazy<Task<string>> Server = new(StartServerAsync);
    private static readonly ConcurrentQueue<string> CreatedDatabases = new();

    /// <summary>Options for a server a test starts for itself: throwaway, and not durable, which tests never need.</summary>
    public static EmbeddedPostgresOptions ThrowawayServerOptions => new() { Durable = false };

    /// <summary>Connection string of the shared server (its <c>clickstream</c> database, or the given server's).</summary>
    public static Task<string> ServerConnectionStringAsync() => Server.Value;

    /// <summary>A new, uniquely named database with init.sql applied; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var database = await CreateEmptyDatabaseAsync(cancellationToken);
        await EventsSchema.ApplyAsync(database, cancellationToken);
        return database;
    }

    /// <summary>A new, uniquely named database without any schema (for an older schema, say); returns its connection string.</summary>
    public static async Task<string> CreateEmptyDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var server = await Server.Value;
        var name = $"clickstream_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        CreatedDatabases.Enqueue(name);
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    private static async Task<string> StartServerAsync()
    {
        var given = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => DropCreatedDatabases(given);
            return given;
        }

        // Not tied to any test's token: the server outlives the test that happened to start it.
        var embedded = await EmbeddedPostgres.StartAsync(
            ThrowawayServerOptions with
            {
                // Every test database keeps its own connection pool.
                ServerSettings = new Dictionary<string, string> { ["max_connections"] = "500" },
            },
            logger: null,
            CancellationToken.None);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(embedded);
        return embedded.ConnectionString;
    }

    // ProcessExit handlers are synchronous, so blocking is the point here. The test platform may kill the test
    // host moments later; the first thing disposing does is hand the stop to the server's watchdog, which
    // finishes it (and deletes the folder) whether or not we are still alive.
    private static void Stop(EmbeddedPostgres embedded) =>
        embedded.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(60));

    // A server we were given outlives the run, so the run's databases must not.
    private static void DropCreatedDatabases(string server)
    {
        try
        {
            NpgsqlConnection.ClearAllPools();
            using var connection = new NpgsqlConnection(server);
            connection.Open();
            while (CreatedDatabases.TryDequeue(out var name))
            {
                using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                drop.ExecuteNonQuery();
            }
        }
        catch (NpgsqlException e)
        {
            Console.Error.WriteLine($"Could not drop the test databases on {ConnectionStringVariable}: {e.Message}");
        }
    }
}
