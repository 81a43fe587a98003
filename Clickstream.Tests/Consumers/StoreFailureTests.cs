using System.Security.Cryptography;
using System.Text.Json;
using Clickstream.Consumers.Storage;
using Clickstream.Contracts;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Support;
using Npgsql;

namespace Clickstream.Tests.Consumers;

/// <summary>
/// Whom a failed write blames, against a real PostgreSQL: a failure that follows one row is that row's (it is rejected,
/// its batch-mates stored); a failure of the database's set-up, which every row meets, stalls and resumes once fixed.
/// </summary>
public sealed class StoreFailureTests
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_.:-";

    /// <summary>Rows a plain Kafka producer can send that PostgreSQL refuses, and the SQLSTATE it answers.</summary>
    public static TheoryData<string, CopyStrategy> UnstorableRows()
    {
        var data = new TheoryData<string, CopyStrategy>();
        foreach (var row in Unstorable.Keys)
        {
            data.Add(row, CopyStrategy.DirectWithStagingFallback);
            data.Add(row, CopyStrategy.Staging);
        }
        return data;
    }

    private static readonly Dictionary<string, (Func<ClickEvent, ClickEvent> Spoil, string SqlState)> Unstorable = new()
    {
        // Incompressible text over the btree limit (2704 bytes an entry) of events_event_type_event_time_idx.
        ["a random 4,000-character event_type"] = (e => e with { EventType = RandomNumberGenerator.GetString(Alphabet, 4_000) }, "54000"),
        // Compressible enough to pass the btree check after compression, not enough for an index tuple (8191 bytes).
        ["a 200,000-character event_type of random a and b"] = (e => e with { EventType = RandomNumberGenerator.GetString("ab", 200_000) }, "54000"),
        ["a number beyond jsonb numeric's range"] = (e => e with { Properties = JsonDocument.Parse("""{"n":1e200000}""").RootElement }, "22003"),
        ["a number with more than 16383 digits after the point"] = (e => e with { Properties = JsonDocument.Parse("""{"n":1e-16384}""").RootElement }, "22003"),
    };

    [Theory]
    [MemberData(nameof(UnstorableRows))]
    public async Task A_row_the_database_refuses_is_rejected_with_its_SQLSTATE_and_every_other_row_of_its_batch_is_stored(string row, CopyStrategy strategy)
    {
        await using var db = StoreFactory.Create(await TestPostgres.CreateDatabaseAsync(), strategy);
        var (spoil, sqlState) = Unstorable[row];
        var events = ClickEvents.Many(300);
        events[7] = spoil(events[7]);
        events[251] = spoil(events[251]);

        var outcome = await db.Store.WriteAsync(events, CancellationToken.None);

        Assert.Equal([7, 251], outcome.Rejected.Select(r => r.Index));
        Assert.All(outcome.Rejected, r => Assert.StartsWith(sqlState + ": ", r.Reason));
        Assert.Equal(298, outcome.Inserted);
        Assert.Equal(events.Select(e => e.EventId).Except([events[7].EventId, events[251].EventId]).Order(), (await db.StoredIdsAsync()).Order());
    }

    [Fact]
    public async Task A_row_npgsql_cannot_encode_is_rejected_and_the_others_are_stored()
    {
        await using var db = StoreFactory.Create(await TestPostgres.CreateDatabaseAsync());
        var events = ClickEvents.Many(50);
        events[20] = events[20] with { SessionId = "lone \ud800 surrogate" };

        var outcome = await db.Store.WriteAsync(events, CancellationToken.None);

        Assert.Equal([20], outcome.Rejected.Select(r => r.Index));
        Assert.Equal(49, outcome.Inserted);
        Assert.Equal(49, await db.CountRowsAsync());
    }

    /// <summary>A fault of the database that every row meets: how to cause it, how to fix it, where the rows are meanwhile.</summary>
    public sealed record SetUpFault(string[] Break, string[] Fix, string RowsWhileBroken, string Logged);

    private static readonly Dictionary<string, SetUpFault> Faults = new()
    {
        ["the events table is missing (42P01)"] = new(
            ["ALTER TABLE events RENAME TO events_away"], ["ALTER TABLE events_away RENAME TO events"],
            "SELECT count(*) FROM events_away", "42P01"),
        ["the writer lost its INSERT privilege (42501)"] = new(
            ["REVOKE INSERT ON events FROM {writer}"], ["GRANT INSERT ON events TO {writer}"],
            "SELECT count(*) FROM events", "42501"),
        ["the database is read-only for the writer (25006)"] = new(
            ["ALTER ROLE {writer} SET default_transaction_read_only = on"], ["ALTER ROLE {writer} RESET default_transaction_read_only"],
            "SELECT count(*) FROM events", "25006"),
        // Class 23 is a row's as a rule; a probe row that fails too shows that here it is every row's.
        ["a constraint no row meets (23514)"] = new(
            ["ALTER TABLE events ADD CONSTRAINT no_row_passes CHECK (user_id < 0) NOT VALID"], ["ALTER TABLE events DROP CONSTRAINT no_row_passes"],
            "SELECT count(*) FROM events", "23514"),
        ["a trigger that raises for every row (P0001)"] = new(
            [
                "CREATE FUNCTION refuse_all() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'events are closed'; END $$",
                "CREATE TRIGGER refuse_all BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_all()",
            ],
            ["DROP TRIGGER refuse_all ON events"],
            "SELECT count(*) FROM events", "P0001"),
    };

    public static TheoryData<string> SetUpFaults() => new(Faults.Keys);

    [Theory]
    [MemberData(nameof(SetUpFaults))]
    public async Task A_failure_every_row_meets_stalls_storing_and_rejecting_nothing_and_the_batch_is_stored_once_it_is_fixed(string name)
    {
        var fault = Faults[name];
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var admin = new NpgsqlConnection(database);
        await admin.OpenAsync();
        var writer = $"writer_{Guid.NewGuid():N}";
        // The server asks every login for its password (the embedded one never trusts, nor should a given one).
        var password = Guid.NewGuid().ToString("N");
        await ExecuteAsync(admin, $"CREATE ROLE {writer} LOGIN PASSWORD '{password}'", $"GRANT SELECT, INSERT ON events TO {writer}");
        try
        {
            var login = new NpgsqlConnectionStringBuilder(database) { Username = writer, Password = password };
            await using (var db = StoreFactory.Create(login.ConnectionString))
            {
                await ExecuteAsync(admin, [.. fault.Break.Select(s => s.Replace("{writer}", writer))]);
                var events = ClickEvents.Many(100);

                var writing = db.Store.WriteAsync(events, CancellationToken.None);

                // Retried over and over, each time with the SQLSTATE and what to do about it.
                await Eventually.HoldsAsync(() => SetUpFailures(db, fault).Count >= 3,
                    () => $"Expected three retries logged with {fault.Logged}; the store logged: {string.Join(" | ", db.Log.Lines)}");
                Assert.False(writing.IsCompleted, "The write ended while the database still refused every row.");
                Assert.Contains("To fix:", SetUpFailures(db, fault)[0]);
                Assert.Equal(0L, await ScalarAsync(admin, fault.RowsWhileBroken));

                await ExecuteAsync(admin, [.. fault.Fix.Select(s => s.Replace("{writer}", writer))]);
                db.DataSource.Clear(); // a pooled session keeps a role's settings from when it began
                var outcome = await writing.WaitAsync(Eventually.DefaultFailsafe);

                Assert.Equal(new StoreOutcome(100, 0, []), outcome with { Rejected = [] });
                Assert.Empty(outcome.Rejected);
                Assert.Equal(events.Select(e => e.EventId).Order(), (await db.StoredIdsAsync()).Order());
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin, $"DROP OWNED BY {writer}", $"DROP ROLE {writer}");
        }
    }

    [Fact]
    public async Task A_lock_held_past_lock_timeout_stalls_as_the_servers_failure_and_the_batch_is_stored_once_it_is_released()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var admin = new NpgsqlConnection(database);
        await admin.OpenAsync();
        var login = new NpgsqlConnectionStringBuilder(database) { Options = "-c lock_timeout=100" };
        await using var db = StoreFactory.Create(login.ConnectionString);
        await using var holding = await admin.BeginTransactionAsync();
        await ExecuteAsync(admin, "LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
        var events = ClickEvents.Many(100);

        var writing = db.Store.WriteAsync(events, CancellationToken.None);

        await Eventually.HoldsAsync(() => db.Log.Lines.Count(l => l.Contains("failed transiently") && l.Contains("55P03")) >= 3,
            () => $"Expected three retries logged with 55P03; the store logged: {string.Join(" | ", db.Log.Lines)}");
        Assert.False(writing.IsCompleted);
        Assert.DoesNotContain(db.Log.Lines, l => l.Contains("rejected"));
        await holding.CommitAsync();
        var outcome = await writing.WaitAsync(Eventually.DefaultFailsafe);

        Assert.Equal(new StoreOutcome(100, 0, []), outcome with { Rejected = [] });
        Assert.Empty(outcome.Rejected);
        Assert.Equal(100, await db.CountRowsAsync());
    }

    private static List<string> SetUpFailures(StoreFactory db, SetUpFault fault) =>
        db.Log.Lines.Where(l => l.Contains("because of the database's set-up") && l.Contains(fault.Logged)).ToList();

    private static async Task ExecuteAsync(NpgsqlConnection connection, params string[] statements)
    {
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
