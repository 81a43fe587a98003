using System.Net.Http.Json;
using System.Text.Json;
using Clickstream.Tests.Consumers;
using Clickstream.Tests.Infrastructure;
using Npgsql;

namespace Clickstream.Tests.Api;

public sealed class StorageHostileApiHost : ApiHost;

/// <summary>
/// Whatever the API accepts, the store can keep: each storage-hostile event is refused with a 400 naming the field, or
/// it is published, and the very event on the topic is written by the worker's store into a real database and found
/// there as it was sent, none rejected.
/// </summary>
public sealed class StorageHostileTests(StorageHostileApiHost host) : IClassFixture<StorageHostileApiHost>
{
    [Fact]
    public void The_corpus_holds_both_refused_and_stored_cases() =>
        Assert.True(StorageHostileCorpus.Cases.Values.Count(c => c.RefusedKey is null) >= 15
            && StorageHostileCorpus.Cases.Values.Count(c => c.RefusedKey is not null) >= 15);

    [Theory]
    [MemberData(nameof(StorageHostileCorpus.Names), MemberType = typeof(StorageHostileCorpus))]
    public async Task A_storage_hostile_event_is_refused_naming_its_field_or_accepted_and_stored(string name)
    {
        var hostile = StorageHostileCorpus.Cases[name];
        using var client = host.CreateClient();

        using var response = await client.PostAsync(hostile.Path, ApiRequests.Json(hostile.Body));

        if (hostile.RefusedKey is { } key)
        {
            Assert.Equal(400, (int)response.StatusCode);
            var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.True(errors.TryGetProperty(key, out var messages), $"expected an error for '{key}' in {errors}");
            Assert.All(messages.EnumerateArray(), m => Assert.False(string.IsNullOrWhiteSpace(m.GetString())));
            Assert.Equal([key], errors.EnumerateObject().Select(e => e.Name));
            return;
        }

        Assert.Equal(202, (int)response.StatusCode);
        using var sent = JsonDocument.Parse(hostile.Body);
        var eventId = Guid.Parse(sent.RootElement.GetProperty("event_id").GetString()!);
        var published = PublishedEvents.ReadAll(host).Single(p => p.Event.EventId == eventId).Event;

        await using var db = StoreFactory.Create(await TestPostgres.CreateDatabaseAsync());
        var outcome = await db.Store.WriteAsync([published], CancellationToken.None);

        Assert.Empty(outcome.Rejected);
        Assert.Equal(1, outcome.Inserted);
        Assert.Equal(1L, await StoredAsSentAsync(db, eventId, sent.RootElement));
    }

    /// <summary>Rows with this id whose text columns and jsonb equal what the client sent.</summary>
    private static async Task<long> StoredAsSentAsync(StoreFactory db, Guid eventId, JsonElement sent)
    {
        await using var command = db.DataSource.CreateCommand("""
            SELECT count(*) FROM events
            WHERE event_id = $1 AND event_type = $2 AND page = $3 AND session_id IS NOT DISTINCT FROM $4
              AND referrer IS NOT DISTINCT FROM $5 AND properties IS NOT DISTINCT FROM $6::jsonb
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = eventId });
        command.Parameters.Add(new NpgsqlParameter { Value = sent.GetProperty("event_type").GetString() });
        command.Parameters.Add(new NpgsqlParameter { Value = sent.GetProperty("page").GetString() });
        command.Parameters.Add(new NpgsqlParameter { Value = Text(sent, "session_id") });
        command.Parameters.Add(new NpgsqlParameter { Value = Text(sent, "referrer") });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = sent.TryGetProperty("properties", out var properties) && properties.ValueKind != JsonValueKind.Null
                ? properties.GetRawText()
                : DBNull.Value,
        });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static object Text(JsonElement sent, string field) =>
        sent.TryGetProperty(field, out var value) && value.GetString() is { } text ? text : DBNull.Value;
}
