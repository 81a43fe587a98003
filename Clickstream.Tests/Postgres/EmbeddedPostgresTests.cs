using System.Diagnostics;
using Clickstream.Consumers.Storage;
using Clickstream.Tests.Infrastructure;
using Npgsql;

namespace Clickstream.Tests.Postgres;

public sealed class EmbeddedPostgresTests
{
    // Failsafes only: a slow, loaded machine must not fail these tests.
    private static readonly TimeSpan Failsafe = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Two_servers_started_in_parallel_do_not_collide()
    {
        Task<EmbeddedPostgres>[] starting =
        [
            EmbeddedPostgres.StartAsync(TestPostgres.ThrowawayServerOptions),
            EmbeddedPostgres.StartAsync(TestPostgres.ThrowawayServerOptions),
        ];
        try
        {
            var servers = await Task.WhenAll(starting);

            Assert.NotEqual(servers[0].Port, servers[1].Port);
            Assert.NotEqual(servers[0].DataDirectory, servers[1].DataDirectory);
            foreach (var server in servers)
            {
                await EventsSchema.ApplyAsync(server.ConnectionString);
                await ExecuteAsync(server, $"INSERT INTO events (event_id, user_id, event_type, page, event_time) VALUES (gen_random_uuid(), {server.Port}, 'click', '/', now())");
            }

            foreach (var server in servers)
            {
                Assert.Equal([server.Port], await UserIdsAsync(server)); // each holds only its own write
            }
        }
        finally
        {
            foreach (var started in starting.Where(task => task.IsCompletedSuccessfully))
            {
                await (await started).DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Disposed_server_leaves_no_process_and_no_folder()
    {
        var server = await EmbeddedPostgres.StartAsync(TestPostgres.ThrowawayServerOptions);
        var postmaster = server.ServerProcessId;
        var folder = server.DataDirectory;
        Assert.True(LinuxProcesses.IsRunning(postmaster));
        Assert.True(File.Exists(Path.Combine(folder, "PG_VERSION")));

        await server.DisposeAsync();

        Assert.False(LinuxProcesses.IsRunning(postmaster));
        Assert.Empty(LinuxProcesses.Mentioning(folder));
        Assert.False(Directory.Exists(folder));

        await server.DisposeAsync();
    }

    [Fact]
    public async Task Server_stops_and_its_folder_is_removed_when_its_owner_process_dies()
    {
        // A stand-in owner to kill; it also ends with the test run, so an aborted run leaves no server behind.
        using var owner = Process.Start("tail", ["--pid", Environment.ProcessId.ToString(), "-f", "/dev/null"]);
        try
        {
            var server = await EmbeddedPostgres.StartAsync(TestPostgres.ThrowawayServerOptions with { OwnerProcessId = owner.Id });
            await using var _ = server;
            var postmaster = server.ServerProcessId;
            var folder = server.DataDirectory;
            Assert.True(LinuxProcesses.IsRunning(postmaster));

            owner.Kill();
            await owner.WaitForExitAsync();

            // The watchdog shell deletes the folder, then exits: wait for both.
            Assert.True(
                await Eventually.TrueAsync(() => !LinuxProcesses.IsRunning(postmaster) && !Directory.Exists(folder) && LinuxProcesses.Mentioning(folder).Count == 0, Failsafe),
                $"postgres {postmaster}, its folder {folder} or a process naming it outlived the owner process: {string.Join(", ", LinuxProcesses.Mentioning(folder))}");
        }
        finally
        {
            if (!owner.HasExited)
            {
                owner.Kill();
            }
        }
    }

    [Fact]
    public async Task Missing_binaries_give_a_clear_message()
    {
        var empty = Directory.CreateTempSubdirectory("clickstream-no-postgres-");
        try
        {
            var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(
                () => EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { BinDirectory = empty.FullName }));

            Assert.Contains("apt-get install postgresql-15", error.Message, StringComparison.Ordinal);
            Assert.Contains(TestPostgres.ConnectionStringVariable, error.Message, StringComparison.Ordinal);
            Assert.Contains("ConnectionStrings__Events", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    private static async Task ExecuteAsync(EmbeddedPostgres server, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<long>> UserIdsAsync(EmbeddedPostgres server)
    {
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await using var command = dataSource.CreateCommand("SELECT user_id FROM events");
        await using var reader = await command.ExecuteReaderAsync();
        var userIds = new List<long>();
        while (await reader.ReadAsync())
        {
            userIds.Add(reader.GetInt64(0));
        }

        return userIds;
    }
}
