namespace Clickstream.Api.Ingestion;

/// <summary>Reads a request body into memory without ever holding more than a limit of it.</summary>
internal static class RequestBody
{
    private const int ChunkSize = 16 * 1024;

    /// <summary>The body's bytes, or null when it is longer than <paramref name="limit"/> (nothing past it is read).</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var expected = request.ContentLength is { } length ? (int)Math.Min(length, limit) : Math.Min(ChunkSize, limit);
        var buffer = new byte[Math.Max(expected, 1)];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length > limit)
                {
                    return null;
                }
                // One byte past the limit is enough to know the body is too long.
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, limit + 1L));
            }
            var read = await request.Body.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                return buffer.AsMemory(0, filled);
            }
            filled += read;
            if (filled > limit)
            {
                return null;
            }
        }
    }
}
