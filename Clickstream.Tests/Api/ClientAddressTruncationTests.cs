using System.Net;
using System.Text.Json;
using Clickstream.Api.Configuration;
using Clickstream.Api.Ingestion;
using Clickstream.Contracts;
using Clickstream.Kafka.Serialization;

namespace Clickstream.Tests.Api;

/// <summary>The client address the API stamps: cut to its leading bits, and how it reads and writes on the wire.</summary>
public sealed class ClientAddressTruncationTests
{
    [Theory]
    [InlineData("203.0.113.77", 24, 48, "203.0.113.0/24")]
    [InlineData("203.0.113.77", 16, 48, "203.0.0.0/16")]
    [InlineData("203.0.113.77", 20, 48, "203.0.112.0/20")]
    [InlineData("203.0.113.77", 32, 48, "203.0.113.77")]
    [InlineData("203.0.113.77", 0, 48, "0.0.0.0/0")]
    [InlineData("2001:db8:abcd:12:1:2:3:4", 24, 48, "2001:db8:abcd::/48")]
    [InlineData("2001:db8:abcd:12:1:2:3:4", 24, 56, "2001:db8:abcd::/56")]
    [InlineData("2001:db8:abcd:1234:1:2:3:4", 24, 60, "2001:db8:abcd:1230::/60")]
    [InlineData("2001:db8:abcd:12:1:2:3:4", 24, 128, "2001:db8:abcd:12:1:2:3:4")]
    [InlineData("2001:db8:abcd:12:1:2:3:4", 24, 0, "::/0")]
    [InlineData("::1", 24, 48, "::/48")]
    [InlineData("fe80::1:2%3", 24, 64, "fe80::/64")]
    public void An_address_keeps_its_leading_bits_by_family(string address, int ipv4, int ipv6, string expected)
    {
        var network = ClientAddressTruncation.Truncate(IPAddress.Parse(address), ipv4, ipv6);

        Assert.Equal(expected, ClientAddressJsonConverter.Format(network));
    }

    [Theory]
    [InlineData(24, "198.51.100.0/24")]
    [InlineData(32, "198.51.100.9")]
    [InlineData(0, "0.0.0.0/0")]
    public void An_IPv4_address_mapped_into_IPv6_is_truncated_as_IPv4(int ipv4, string expected)
    {
        var mapped = IPAddress.Parse("::ffff:198.51.100.9");
        Assert.True(mapped.IsIPv4MappedToIPv6);

        var network = ClientAddressTruncation.Truncate(mapped, ipv4, ipv6PrefixLength: 48);

        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetwork, network.BaseAddress.AddressFamily);
        Assert.Equal(expected, ClientAddressJsonConverter.Format(network));
    }

    [Fact]
    public void A_user_agent_is_cut_to_512_characters_never_between_the_halves_of_a_surrogate_pair()
    {
        var browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
        Assert.Equal(browser, ClientContext.Capped(browser));
        Assert.Equal(new string('a', ClientContextOptions.MaxUserAgentLength), ClientContext.Capped(new string('a', 600)));
        // An emoji (two UTF-16 units) straddling the limit goes whole.
        var straddling = new string('a', ClientContextOptions.MaxUserAgentLength - 1) + "🛒" + "tail";
        Assert.Equal(new string('a', ClientContextOptions.MaxUserAgentLength - 1), ClientContext.Capped(straddling));
        Assert.Null(ClientContext.Capped(""));
        Assert.Null(ClientContext.Capped("bad\0agent"));
    }

    [Theory]
    [InlineData("\"203.0.113.0/24\"", "203.0.113.0/24")]
    [InlineData("\"203.0.113.7\"", "203.0.113.7")]
    [InlineData("\"203.0.113.7/32\"", "203.0.113.7")]
    [InlineData("\"203.0.113.7/24\"", "203.0.113.0/24")]
    [InlineData("\"2001:db8:abcd::/48\"", "2001:db8:abcd::/48")]
    [InlineData("\"2001:DB8::1\"", "2001:db8::1")]
    [InlineData("\"::ffff:198.51.100.9\"", "::ffff:198.51.100.9")]
    public void Client_address_on_the_wire_is_an_address_or_a_CIDR_network(string json, string expected)
    {
        var read = JsonSerializer.Deserialize<ClickEvent>(EventJson(json), WireJson.Options)!;

        Assert.Equal(expected, ClientAddressJsonConverter.Format(read.ClientAddress!.Value));
        Assert.Contains($"\"client_address\":\"{expected}\"", JsonSerializer.Serialize(read), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"not an address\"")]
    [InlineData("\"42\"")]
    [InlineData("\"010.0.0.1\"")]
    [InlineData("\"203.0.113.0/33\"")]
    [InlineData("\"2001:db8::/129\"")]
    [InlineData("\"203.0.113.0/\"")]
    [InlineData("\"203.0.113.0/-1\"")]
    [InlineData("\"fe80::1%eth0\"")]
    [InlineData("\"\"")]
    [InlineData("42")]
    [InlineData("[]")]
    public void Anything_else_as_client_address_is_not_a_valid_event(string json)
    {
        var failure = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ClickEvent>(EventJson(json), WireJson.Options));

        Assert.Contains("client_address", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_event_without_client_context_has_neither_field_on_the_wire()
    {
        var json = JsonSerializer.Serialize(Support.ClickEvents.Create(0) with { UserAgent = null, ClientAddress = null });

        Assert.DoesNotContain("user_agent", json, StringComparison.Ordinal);
        Assert.DoesNotContain("client_address", json, StringComparison.Ordinal);
        Assert.Null(JsonSerializer.Deserialize<ClickEvent>(EventJson("null"), WireJson.Options)!.ClientAddress);
    }

    private static string EventJson(string clientAddress) =>
        $$"""{"event_id":"{{Guid.NewGuid()}}","user_id":1,"event_type":"click","page":"/","event_time":"2026-01-01T00:00:00Z","client_address":{{clientAddress}}}""";
}
