namespace Clickstream.Api.ReadModel;

/// <summary>
/// The time a UUIDv7 carries (RFC 9562: its first 48 bits are Unix milliseconds). Clients that make the id when the
/// event happens (the tracker, <c>Guid.CreateVersion7()</c>) give it nearly the event's <c>event_time</c>, which says
/// which partition of <c>events</c> holds the event; other ids say nothing. Any client may send any id, so a time
/// outside years 1970 to 9999 is none either.
/// </summary>
internal static class EventIdTime
{
    private static readonly long Latest = DateTimeOffset.MaxValue.AddYears(-1).ToUnixTimeMilliseconds();

    public static DateTimeOffset? Of(Guid eventId)
    {
        if (eventId.Version != 7 || (eventId.Variant & 0xC) != 0x8)
        {
            return null;
        }
        Span<byte> bytes = stackalloc byte[16];
        eventId.TryWriteBytes(bytes, bigEndian: true, out _);
        var milliseconds = ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
        return milliseconds <= Latest ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) : null;
    }
}
