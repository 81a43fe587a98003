using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Clickstream.Api.ReadModel;

/// <summary>
/// EF Core's view of the <c>events</c> table, for reads only. init.sql stays the one source of schema truth: there are
/// no migrations, and saving through this context is refused (writes go through binary COPY).
/// </summary>
public sealed class EventsReadContext(DbContextOptions<EventsReadContext> options) : DbContext(options)
{
    // jsonb read as its text and parsed into a JsonElement that owns its memory (no JsonDocument to dispose).
    private static readonly ValueConverter<JsonElement, string> JsonbText = new(
        v => v.GetRawText(), s => JsonSerializer.Deserialize<JsonElement>(s, (JsonSerializerOptions?)null));

    // inet read as Npgsql's NpgsqlInet and given as PostgreSQL prints it (the netmask omitted when it covers the address).
    private static readonly ValueConverter<string?, NpgsqlTypes.NpgsqlInet> InetText = new(
        v => new NpgsqlTypes.NpgsqlInet(v!), v => v.ToString());

    public DbSet<StoredEvent> Events => Set<StoredEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var events = modelBuilder.Entity<StoredEvent>().ToTable("events");
        // The table's unique key (a partitioned table's must hold its partition key, event_time).
        events.HasKey(e => new { e.EventId, e.EventTime });
        events.Property(e => e.EventId).HasColumnName("event_id");
        events.Property(e => e.UserId).HasColumnName("user_id");
        events.Property(e => e.EventType).HasColumnName("event_type");
        events.Property(e => e.Page).HasColumnName("page");
        events.Property(e => e.EventTime).HasColumnName("event_time");
        events.Property(e => e.ReceivedAt).HasColumnName("received_at");
        events.Property(e => e.SessionId).HasColumnName("session_id");
        events.Property(e => e.Referrer).HasColumnName("referrer");
        events.Property(e => e.StoredAt).HasColumnName("stored_at");
        events.Property(e => e.UserAgent).HasColumnName("user_agent");
        events.Property(e => e.ClientAddress).HasColumnName("client_address").HasColumnType("inet").HasConversion(InetText);
        events.Property(e => e.Properties).HasColumnName("properties").HasColumnType("jsonb")
            .HasConversion(JsonbText);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) => throw ReadOnly();

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default) => throw ReadOnly();

    private static InvalidOperationException ReadOnly() =>
        new("EventsReadContext is read-only: events are written by the consumers' COPY, the schema by init.sql.");
}
