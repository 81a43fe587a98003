using Clickstream.Contracts;
using Npgsql;
using NpgsqlTypes;

namespace Clickstream.Consumers.Storage;

/// <summary>Binary COPY of click events into <c>events</c> or a table like it, with every column's type spelled out.</summary>
internal static class ClickEventCopy
{
    public const string Columns = "event_id, user_id, event_type, page, event_time, received_at, session_id, referrer, properties, user_agent, client_address";

    /// <summary>Copies the rows and returns how many the server took; the whole COPY fails if one row is refused.</summary>
    public static async Task<ulong> WriteAsync(NpgsqlConnection connection, string table, IReadOnlyList<ClickEvent> events, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {table} ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var e in events)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(e.EventId, NpgsqlDbType.Uuid, cancellationToken);
            await importer.WriteAsync(e.UserId, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(e.EventType, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(e.Page, NpgsqlDbType.Text, cancellationToken);
            // timestamptz stores the instant; Npgsql only writes UTC offsets, so the client's offset is dropped here.
            await importer.WriteAsync(e.EventTime.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteNullableAsync(importer, e.ReceivedAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteNullableAsync(importer, e.SessionId, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(importer, e.Referrer, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(importer, e.Properties?.GetRawText(), NpgsqlDbType.Jsonb, cancellationToken);
            await WriteNullableAsync(importer, e.UserAgent, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(importer, e.ClientAddress, cancellationToken);
        }
        return await importer.CompleteAsync(cancellationToken);
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);

    // inet with its netmask: a truncated address is stored as the network it was truncated to (203.0.113.0/24).
    private static Task WriteNullableAsync(NpgsqlBinaryImporter importer, System.Net.IPNetwork? value, CancellationToken cancellationToken) =>
        value is { } network
            ? importer.WriteAsync(new NpgsqlInet(network.BaseAddress, checked((byte)network.PrefixLength)), NpgsqlDbType.Inet, cancellationToken)
            : importer.WriteNullAsync(cancellationToken);

    private static Task WriteNullableAsync(NpgsqlBinaryImporter importer, DateTimeOffset? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is { } instant ? importer.WriteAsync(instant, type, cancellationToken) : importer.WriteNullAsync(cancellationToken);
}
