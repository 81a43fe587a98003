using System.Net;
using System.Net.Sockets;

namespace Clickstream.Api.Ingestion;

/// <summary>Cuts a client's address down to the network of its leading bits (<see cref="Configuration.ClientContextOptions"/>).</summary>
internal static class ClientAddressTruncation
{
    /// <summary>
    /// The network of <paramref name="address"/>'s first <paramref name="ipv4PrefixLength"/> bits (IPv4, including IPv4
    /// mapped into IPv6) or <paramref name="ipv6PrefixLength"/> bits (IPv6), the other bits zeroed and any IPv6 zone dropped.
    /// </summary>
    public static IPNetwork Truncate(IPAddress address, int ipv4PrefixLength, int ipv6PrefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        var prefix = address.AddressFamily == AddressFamily.InterNetwork ? ipv4PrefixLength : ipv6PrefixLength;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefix, length * 8);
        ArgumentOutOfRangeException.ThrowIfNegative(prefix);
        for (var i = 0; i < bytes.Length; i++)
        {
            var kept = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF00 >> kept);
        }
        return new IPNetwork(new IPAddress(bytes), prefix);
    }
}
