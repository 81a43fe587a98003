using Clickstream.Consumers.Storage;
using Npgsql;

namespace Clickstream.Tests.Postgres;

/// <summary>
/// A data folder as the embedded server made it before it had credentials: initdb with trust for everyone, no password
/// file, the schema of that time (version 1), events stored through a server started on it, then stopped. Made with the
/// installed tools, not our code.
/// </summary>
internal static class LegacyDataFolder
{
    public static async Task CreateAsync(string folder, int rows)
    {
        var binaries = await PostgresBinaries.LocateAsync(null, CancellationToken.None);
        var account = await PostgresServerAccount.DetectAsync(CancellationToken.None);
        await account.PrepareDataDirectoryAsync(folder, CancellationToken.None);
        await RunAsync(account, binaries.InitDb, ["--pgdata", folder, "--username", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]);

        var port = Clickstream.Tests.EndToEnd.StandaloneApp.FreePort();
        var pgCtl = Path.Combine(binaries.BinDirectory, "pg_ctl");
        await RunAsync(account, pgCtl,
            ["-D", folder, "-l", Path.Combine(folder, "server.log"), "-w", "-o", $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off", "start"]);
        try
        {
            // Trust: no password at all, as the earlier version connected.
            var server = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
            await using (var connection = new NpgsqlConnection(server))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand("CREATE DATABASE clickstream", connection);
                await create.ExecuteNonQueryAsync();
            }
            var database = new NpgsqlConnectionStringBuilder(server) { Database = "clickstream" }.ConnectionString;
            await using (var connection = new NpgsqlConnection(database))
            {
                await connection.OpenAsync();
                // The schema that version had (init.sql before it was versioned).
                await using (var schema = new NpgsqlCommand(await File.ReadAllTextAsync(PreviousSchema.ScriptPath(1)), connection))
                {
                    await schema.ExecuteNonQueryAsync();
                }
                await using var insert = new NpgsqlCommand(
                    "INSERT INTO events (event_id, user_id, event_type, page, event_time) "
                    + "SELECT gen_random_uuid(), n, 'click', '/', now() - interval '1 hour' FROM generate_series(1, $1) n", connection)
                {
                    Parameters = { new() { Value = rows } },
                };
                await insert.ExecuteNonQueryAsync();
            }
        }
        finally
        {
            await RunAsync(account, pgCtl, ["-D", folder, "-m", "fast", "-w", "stop"]);
        }
    }

    private static async Task RunAsync(PostgresServerAccount account, string program, string[] arguments)
    {
        var outcome = await account.RunAsync(program, arguments, CancellationToken.None);
        Assert.True(outcome.Succeeded, $"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed ({outcome.ExitCode}):\n{outcome.Output}");
    }
}
