using System.Diagnostics;
using Clickstream.Benchmarks.Infrastructure;
using Clickstream.Contracts;
using Npgsql;
using NpgsqlTypes;

namespace Clickstream.Benchmarks.Ceilings;

/// <summary>
/// The storage ceiling: the same rows, binary COPY straight into the same <c>events</c> table (primary key and
/// indexes included), one COPY per batch on one connection, no Kafka, no MassTransit, no duplicate handling.
/// The table is emptied before and after, so the pipeline phase that follows starts from the same state.
/// </summary>
public static class RawCopyCeiling
{
    private const string Copy = "COPY events (event_id, user_id, event_type, page, event_time, received_at, session_id, referrer, properties) FROM STDIN (FORMAT BINARY)";

    public static async Task<double> RowsPerSecondAsync(string connectionString, IReadOnlyList<ClickEvent> rows, int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await EventsTable.TruncateAsync(connection, cancellationToken);

        var clock = Stopwatch.StartNew();
        for (var start = 0; start < rows.Count; start += batchSize)
        {
            await using var importer = await connection.BeginBinaryImportAsync(Copy, cancellationToken);
            for (var i = start; i < Math.Min(start + batchSize, rows.Count); i++)
            {
                var e = rows[i];
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(e.EventId, NpgsqlDbType.Uuid, cancellationToken);
                await importer.WriteAsync(e.UserId, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(e.EventType, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(e.Page, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(e.EventTime.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                await WriteAsync(importer, e.ReceivedAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                await WriteAsync(importer, e.SessionId, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(importer, e.Referrer, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(importer, e.Properties?.GetRawText(), NpgsqlDbType.Jsonb, cancellationToken);
            }
            await importer.CompleteAsync(cancellationToken);
        }
        var elapsed = clock.Elapsed;

        await EventsTable.TruncateAsync(connection, cancellationToken);
        return rows.Count / elapsed.TotalSeconds;
    }

    private static Task WriteAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);
}
