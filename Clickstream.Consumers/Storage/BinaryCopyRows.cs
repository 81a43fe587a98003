using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text.Unicode;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// Rows in PostgreSQL's binary COPY format (https://www.postgresql.org/docs/15/sql-copy.html, "Binary Format"), written
/// into one pooled buffer: the signature and header, then per row its field count and each field as a length and its
/// bytes (−1 for NULL), then the trailer. Each column's encoding is the type's binary send format, chosen by the caller.
/// </summary>
internal sealed class BinaryCopyRows : IDisposable
{
    // "PGCOPY\n\377\r\n\0", then the flags field and the header extension's length, both zero.
    private static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    // 2000-01-01T00:00:00Z in .NET ticks: timestamptz counts microseconds from there.
    private const long PostgresEpochTicks = 630_822_816_000_000_000L;

    // PostgreSQL's own address family numbers in inet's binary format (not the operating system's).
    private const byte PgsqlAfInet = 2;
    private const byte PgsqlAfInet6 = 3;

    private byte[] _buffer;
    private int _length;

    public BinaryCopyRows(int expectedBytes)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(expectedBytes, 4096));
        Header.CopyTo(_buffer);
        _length = Header.Length;
    }

    /// <summary>The rows written so far; with the trailer once <see cref="End"/> was called.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public void StartRow(short fields) => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), fields);

    public void End() => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), -1);

    public void Null() => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), -1);

    /// <summary>uuid: its 16 bytes in the order of its text form.</summary>
    public void Uuid(Guid value)
    {
        var span = Field(16);
        value.TryWriteBytes(span, bigEndian: true, out _);
    }

    /// <summary>bigint.</summary>
    public void Int64(long value) => BinaryPrimitives.WriteInt64BigEndian(Field(8), value);

    /// <summary>
    /// timestamptz: microseconds since 2000-01-01 UTC. Finer ticks are dropped, to the microsecond before (Npgsql rounds
    /// toward 2000, so an instant before it moved later).
    /// </summary>
    public void TimestampTz(DateTimeOffset value) => Int64(Math.DivRem(value.UtcTicks - PostgresEpochTicks, 10) switch
    {
        (var micros, < 0) => micros - 1,
        (var micros, _) => micros,
    });

    /// <summary>text (the connection's client encoding is UTF-8); NULL for null.</summary>
    /// <exception cref="ArgumentException">The string is not valid UTF-16 (an unpaired surrogate): no text can hold it.</exception>
    public void Text(string? value, string column)
    {
        if (value is null)
        {
            Null();
            return;
        }
        var span = Reserve(4 + checked(value.Length * 3));
        if (Utf8.FromUtf16(value, span[4..], out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            _length -= span.Length;
            throw new ArgumentException($"The {column} holds an unpaired surrogate, which is not text: PostgreSQL cannot store it.");
        }
        BinaryPrimitives.WriteInt32BigEndian(span, written);
        _length -= span.Length - 4 - written;
    }

    /// <summary>jsonb: format version 1, then the JSON text as UTF-8, which the server parses and checks.</summary>
    public void Jsonb(ReadOnlySpan<byte> json)
    {
        var span = Field(1 + json.Length);
        span[0] = 1;
        json.CopyTo(span[1..]);
    }

    /// <summary>inet: family, netmask bits, 0 (not cidr), address length, address bytes.</summary>
    public void Inet(IPAddress address, int prefixLength)
    {
        var v4 = address.AddressFamily == AddressFamily.InterNetwork;
        var size = v4 ? 4 : 16;
        var span = Field(4 + size);
        span[0] = v4 ? PgsqlAfInet : PgsqlAfInet6;
        span[1] = checked((byte)prefixLength);
        span[2] = 0;
        span[3] = (byte)size;
        address.TryWriteBytes(span[4..], out _);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>A field of <paramref name="size"/> bytes: its length is written, and the span for its bytes returned.</summary>
    private Span<byte> Field(int size)
    {
        var span = Reserve(4 + size);
        BinaryPrimitives.WriteInt32BigEndian(span, size);
        return span[4..];
    }

    private Span<byte> Reserve(int size)
    {
        if (_buffer.Length - _length < size)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(checked(_buffer.Length * 2), checked(_length + size)));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        var span = _buffer.AsSpan(_length, size);
        _length += size;
        return span;
    }
}
