using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clickstream.Contracts;

/// <summary>
/// <c>client_address</c> on the wire: an IP address (<c>"203.0.113.7"</c>, <c>"2001:db8::1"</c>), kept whole, or a network
/// in CIDR notation (<c>"203.0.113.0/24"</c>), written the way PostgreSQL's <c>inet</c> prints it (no <c>/32</c> or <c>/128</c>
/// on a whole address). Read strictly, since any producer may write the field: IPv4 only as four decimal parts (.NET alone
/// would take <c>"42"</c> for 0.0.0.42 and <c>"010.0.0.1"</c> for 8.0.0.1), a prefix within the family's length; bits set
/// past the prefix are cleared. Anything else is a <see cref="JsonException"/>, so the consumer's contract check
/// dead-letters the message with a reason naming the field instead of letting it fail a COPY.
/// </summary>
public sealed class ClientAddressJsonConverter : JsonConverter<IPNetwork>
{
    public override IPNetwork Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Invalid($"a {reader.TokenType}");
        }
        var text = reader.GetString()!;
        return TryParse(text, out var network) ? network : throw Invalid($"\"{(text.Length <= 64 ? text : text[..64] + "…")}\"");
    }

    public override void Write(Utf8JsonWriter writer, IPNetwork value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    /// <summary>The network as PostgreSQL's inet prints it: the bare address when the prefix covers all of it.</summary>
    public static string Format(IPNetwork network) =>
        network.PrefixLength == FullLength(network.BaseAddress) ? network.BaseAddress.ToString() : network.ToString();

    /// <summary>Parses an address or a CIDR network as described on the class; bits past the prefix are cleared.</summary>
    public static bool TryParse(string text, out IPNetwork network)
    {
        network = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!TryParseAddress(addressText, out var address))
        {
            return false;
        }
        var full = FullLength(address);
        var prefix = full;
        if (slash >= 0 && !(int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) && prefix <= full))
        {
            return false;
        }
        // IPNetwork clears the bits past the prefix when it parses (a constructor would refuse them).
        return IPNetwork.TryParse($"{address}/{prefix}", out network);
    }

    private static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        // A zone (fe80::1%eth0) means something only on the host that saw it, and inet cannot hold one.
        if (text.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }
        // .NET's IPv4 parser takes shorthand and octal forms nobody else reads the same way: only the canonical form.
        if (parsed.AddressFamily == AddressFamily.InterNetwork && parsed.ToString() != text)
        {
            return false;
        }
        address = parsed;
        return true;
    }

    private static int FullLength(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;

    private static JsonException Invalid(string what) =>
        new($"client_address must be an IP address or a network in CIDR notation (\"203.0.113.0/24\"), not {what}.");
}
