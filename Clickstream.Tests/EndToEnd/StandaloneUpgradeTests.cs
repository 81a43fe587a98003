using System.Net;
using Clickstream.Consumers.Storage;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Postgres;
using Npgsql;

namespace Clickstream.Tests.EndToEnd;

/// <summary>The standalone run keeps its data folder between runs: one left by an earlier version is brought forward at start.</summary>
public sealed class StandaloneUpgradeTests : IAsyncLifetime
{
    private readonly string _dataFolder = Path.Combine("/var/tmp", $"clickstream-upgrade-{Guid.NewGuid():N}");
    private readonly int _postgresPort = StandaloneApp.FreePort();

    [Fact]
    public async Task A_data_folder_left_by_the_version_before_keeps_every_row_and_events_posted_after_the_start_carry_user_agent_and_truncated_address()
    {
        var postgresFolder = Path.Combine(_dataFolder, "postgres");
        Directory.CreateDirectory(_dataFolder);
        await LegacyDataFolder.CreateAsync(postgresFolder, rows: 1_000);

        await using var app = await StandaloneApp.StartAsync(_dataFolder, _postgresPort);

        var database = $"Host=127.0.0.1;Port={_postgresPort};Username=postgres;Password={EmbeddedPostgresCredentials.Read(postgresFolder)!.Password};"
            + "Database=clickstream;Pooling=false";
        await using var dataSource = NpgsqlDataSource.Create(database);
        Assert.Equal(EventsSchema.CurrentVersion, await SchemaVersion.ReadAsync(dataSource, CancellationToken.None));
        Assert.Equal(1_000L, await ScalarAsync(dataSource, "SELECT count(*) FROM events WHERE user_agent IS NULL AND client_address IS NULL"));

        using var client = new HttpClient { BaseAddress = app.Address };
        var sent = Api.ApiRequests.Event(1);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = Api.ApiRequests.Json(sent) };
        request.Headers.TryAddWithoutValidation("User-Agent", "UpgradeTest/1.0 (X11; Linux x86_64)");
        using (var response = await client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await Eventually.HoldsAsync(async () => await ScalarAsync(dataSource, "SELECT count(*) FROM events") is 1_001L,
            () => "The event posted after the upgrade was not stored.");
        await using var stored = dataSource.CreateCommand($"SELECT user_agent, host(client_address), masklen(client_address) FROM events WHERE event_id = '{sent.EventId}'");
        await using var reader = await stored.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("UpgradeTest/1.0 (X11; Linux x86_64)", reader.GetString(0));
        Assert.Equal(("127.0.0.0", 24), (reader.GetString(1), reader.GetInt32(2)));
        await reader.CloseAsync();
        Assert.Equal(0, await app.InterruptAsync());
    }

    private static async Task<object?> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_dataFolder))
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        return Task.CompletedTask;
    }
}
