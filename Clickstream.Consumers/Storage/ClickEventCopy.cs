using System.Runtime.InteropServices;
using Clickstream.Contracts;
using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// Binary COPY of click events into <c>events</c> or a table like it. The rows are encoded here, every column with its
/// type known up front (<see cref="BinaryCopyRows"/>), before anything is sent: a value that cannot be encoded fails the
/// batch before the COPY starts, and the COPY goes out as one stream. (Npgsql's <c>NpgsqlBinaryImporter</c> resolves and
/// binds a parameter for every column of every row: 3.2 µs of client CPU per row against 1.4–1.6 for this, at batches
/// of 1,000 in the raw COPY benchmark, docs/benchmarks.md.)
/// </summary>
internal static class ClickEventCopy
{
    public const string Columns = "event_id, user_id, event_type, page, event_time, received_at, session_id, referrer, properties, user_agent, client_address";

    private const short ColumnCount = 11;

    // A click event's row takes about 300 bytes: room for most batches at once, the buffer grows for the rest.
    private const int BytesPerRowGuess = 384;

    /// <summary>Copies the rows and returns how many the server took; the whole COPY fails if one row is refused.</summary>
    public static async Task<ulong> WriteAsync(NpgsqlConnection connection, string table, IReadOnlyList<ClickEvent> events, CancellationToken cancellationToken)
    {
        using var rows = Encode(events);
        var copy = await connection.BeginRawBinaryCopyAsync($"COPY {table} ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        try
        {
            await copy.WriteAsync(rows.Written, cancellationToken);
        }
        catch
        {
            // Ending the COPY normally would store the rows sent so far: abandon it, and keep the first failure.
            await CancelQuietlyAsync(copy);
            throw;
        }
        // Disposing ends the COPY; the server's refusal of a row surfaces there, as a PostgresException.
        await copy.DisposeAsync();
        return (ulong)events.Count;
    }

    private static BinaryCopyRows Encode(IReadOnlyList<ClickEvent> events)
    {
        var rows = new BinaryCopyRows(events.Count * BytesPerRowGuess);
        try
        {
            foreach (var e in events)
            {
                rows.StartRow(ColumnCount);
                rows.Uuid(e.EventId);
                rows.Int64(e.UserId);
                rows.Text(e.EventType, "event_type");
                rows.Text(e.Page, "page");
                // timestamptz stores the instant: the client's offset is not kept.
                rows.TimestampTz(e.EventTime);
                if (e.ReceivedAt is { } receivedAt)
                {
                    rows.TimestampTz(receivedAt);
                }
                else
                {
                    rows.Null();
                }
                rows.Text(e.SessionId, "session_id");
                rows.Text(e.Referrer, "referrer");
                if (e.Properties is { } properties)
                {
                    // The JSON as it came, without making a string of it first.
                    rows.Jsonb(JsonMarshal.GetRawUtf8Value(properties));
                }
                else
                {
                    rows.Null();
                }
                rows.Text(e.UserAgent, "user_agent");
                // inet with its netmask: a truncated address is stored as the network it was truncated to (203.0.113.0/24).
                if (e.ClientAddress is { } network)
                {
                    rows.Inet(network.BaseAddress, network.PrefixLength);
                }
                else
                {
                    rows.Null();
                }
            }
            rows.End();
            return rows;
        }
        catch
        {
            rows.Dispose();
            throw;
        }
    }

    private static async Task CancelQuietlyAsync(NpgsqlRawCopyStream copy)
    {
        try
        {
            await copy.CancelAsync();
        }
        catch (Exception e) when (e is NpgsqlException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection broke: the server abandons the COPY with it, and the pool discards the connection.
        }
    }
}
