using System.IO.Compression;

namespace Clickstream.Api.Ingestion;

/// <summary>
/// Reads a request body into memory without ever holding more than a limit of it: grown as bytes arrive (a slow client
/// declaring a large Content-Length holds nothing it has not sent), and for <c>Content-Encoding: gzip</c> the limit is
/// on the decompressed bytes, so a compression bomb stops at the limit.
/// </summary>
internal static class RequestBody
{
    private const int ChunkSize = 16 * 1024;

    /// <summary>The encodings a body may come in: none, or gzip (what browsers' CompressionStream and every HTTP client make).</summary>
    public static bool IsSupportedEncoding(HttpRequest request) => Encoding(request) is null or "identity" or "gzip";

    /// <summary>Whether the body is gzip: its Content-Length then says nothing about the size that counts.</summary>
    public static bool IsCompressed(HttpRequest request) => Encoding(request) == "gzip";

    /// <summary>
    /// The body's (decompressed) bytes, or null when they are more than <paramref name="limit"/> (nothing past it is read).
    /// A gzip body that is not valid gzip throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (!IsCompressed(request))
        {
            return await ReadAsync(request.Body, limit, request.ContentLength, cancellationToken);
        }
        await using var gzip = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
        return await ReadAsync(gzip, limit, null, cancellationToken);
    }

    private static async Task<ReadOnlyMemory<byte>?> ReadAsync(Stream body, int limit, long? declared, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Max(1, (int)Math.Min(declared ?? ChunkSize, Math.Min(ChunkSize, limit + 1L)))];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                // One byte past the limit is enough to know the body is too long.
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, limit + 1L));
            }
            var read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken);
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

    private static string? Encoding(HttpRequest request) =>
        request.Headers.ContentEncoding.ToString() is { Length: > 0 } encoding ? encoding.Trim().ToLowerInvariant() : null;
}
