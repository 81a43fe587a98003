using Clickstream.Consumers.Storage;
using Clickstream.Tests.Infrastructure;
using Npgsql;

namespace Clickstream.Tests.Postgres;

/// <summary>The embedded server gives no passwordless superuser on TCP, keeps its password owner-only, and says how to use it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EmbeddedPostgresSecurityTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Over_tcp_the_superuser_gets_in_with_its_password_only()
    {
        await using var server = await EmbeddedPostgres.StartAsync(TestPostgres.ThrowawayServerOptions);
        var withPassword = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false };

        Assert.Equal("postgres", await CurrentUserAsync(withPassword.ConnectionString));

        var wrong = new NpgsqlConnectionStringBuilder(withPassword.ConnectionString) { Password = "not-the-password" };
        var refused = await Assert.ThrowsAsync<PostgresException>(() => CurrentUserAsync(wrong.ConnectionString));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);

        // Without a password: the server asks for one (no trust), so the client has nothing to answer with.
        var none = new NpgsqlConnectionStringBuilder(withPassword.ConnectionString) { Password = null, Passfile = "/dev/null" };
        var asked = await Assert.ThrowsAnyAsync<NpgsqlException>(() => CurrentUserAsync(none.ConnectionString));
        Assert.Contains("password", asked.Message, StringComparison.OrdinalIgnoreCase);
        var psql = await ShellAsync($"PGPASSFILE=/dev/null {server.PsqlCommand.Split(' ', 2)[1]} -w -tAc 'SELECT 1'");
        Assert.NotEqual(0, psql.ExitCode);
        Assert.Contains("no password supplied", psql.Output);

        var hba = await File.ReadAllLinesAsync(Path.Combine(server.DataDirectory, "pg_hba.conf"));
        Assert.DoesNotContain(hba, line => !line.TrimStart().StartsWith('#') && line.Contains("trust", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_password_file_is_owner_only_and_the_printed_psql_command_connects()
    {
        await using var server = await EmbeddedPostgres.StartAsync(TestPostgres.ThrowawayServerOptions);

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(server.PasswordFile));
        Assert.StartsWith($"PGPASSFILE={server.PasswordFile} ", server.PsqlCommand);
        var psql = await ShellAsync($"{server.PsqlCommand} -w -tAc 'SELECT current_user'");
        Assert.True(psql.ExitCode == 0, psql.Output);
        Assert.Equal("postgres", psql.Output.Trim());
    }

    [Fact]
    public async Task A_kept_data_folder_keeps_its_password_from_one_run_to_the_next()
    {
        var folder = Path.Combine("/tmp", $"clickstream-keep-{Guid.NewGuid():N}");
        try
        {
            var options = TestPostgres.ThrowawayServerOptions with { DataDirectory = folder };
            string first;
            await using (var server = await EmbeddedPostgres.StartAsync(options))
            {
                first = EmbeddedPostgresCredentials.Read(folder)!.Password;
            }

            await using (var again = await EmbeddedPostgres.StartAsync(options))
            {
                Assert.Equal(first, EmbeddedPostgresCredentials.Read(folder)!.Password);
                Assert.Equal(first, new NpgsqlConnectionStringBuilder(again.ConnectionString).Password);
                Assert.Equal("postgres", await CurrentUserAsync(again.ConnectionString));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_data_folder_made_with_trust_by_an_earlier_version_gets_a_password_and_keeps_its_rows()
    {
        var folder = Path.Combine("/tmp", $"clickstream-legacy-{Guid.NewGuid():N}");
        try
        {
            await LegacyDataFolder.CreateAsync(folder, rows: 250);
            Assert.False(File.Exists(EmbeddedPostgresCredentials.PathIn(folder)));

            await using var server = await EmbeddedPostgres.StartAsync(TestPostgres.ThrowawayServerOptions with { DataDirectory = folder });

            await using (var connection = new NpgsqlConnection(server.ConnectionString))
            {
                await connection.OpenAsync();
                await using var count = new NpgsqlCommand("SELECT count(*) FROM events", connection);
                Assert.Equal(250L, await count.ExecuteScalarAsync());
            }
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(server.PasswordFile));
            var wrong = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Password = "", Passfile = "/dev/null", Pooling = false };
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => CurrentUserAsync(wrong.ConnectionString));
            var psql = await ShellAsync($"{server.PsqlCommand} -w -tAc 'SELECT count(*) FROM events'");
            Assert.True(psql.ExitCode == 0, psql.Output);
            Assert.Equal("250", psql.Output.Trim());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string?> CurrentUserAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_user", connection);
        return (string?)await command.ExecuteScalarAsync();
    }

    private static async Task<(int ExitCode, string Output)> ShellAsync(string command)
    {
        var outcome = await ChildProcess.RunAsync("/bin/sh", ["-c", command], CancellationToken.None);
        return (outcome.ExitCode, outcome.Output);
    }
}
