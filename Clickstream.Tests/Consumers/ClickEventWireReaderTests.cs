using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Clickstream.Consumers.Consuming;
using Clickstream.Contracts;
using Clickstream.Kafka.Consuming;
using Clickstream.Kafka.Serialization;
using Clickstream.Tests.Support;
using Confluent.Kafka;

namespace Clickstream.Tests.Consumers;

/// <summary>
/// The ingestion endpoint's fast reader takes the common shape of a click event and declines the rest; what it takes it
/// reads exactly as System.Text.Json does, and it never takes what System.Text.Json refuses, so the contract check's
/// verdicts and dead-letter reasons are the same with it as without.
/// </summary>
public sealed class ClickEventWireReaderTests
{
    private static readonly MessageGate Plain = new(typeof(ClickEvent));
    private static readonly MessageGate Fast = new(typeof(ClickEvent), reader: ClickEventWireReader.Read);

    private static readonly string Time = ClickEvents.Epoch.ToString("O");

    private static string Minimal(string extra = "") =>
        $$"""{"event_id":"{{Guid.CreateVersion7()}}","user_id":42,"event_type":"click","page":"/home","event_time":"{{Time}}"{{extra}}}""";

    /// <summary>An event with every field of the contract set, as the API publishes it.</summary>
    private static ClickEvent Full() => ClickEvents.Stamped(1) with
    {
        ReceivedAt = ClickEvents.Epoch.AddSeconds(1).ToUniversalTime(),
        Referrer = "https://example.com/a?b=\"c\"",
        Properties = JsonSerializer.SerializeToElement(new { button = "buy", nested = new { list = new object[] { 1, 2.5, "é\u2028", true, null! } } }),
        UserAgent = "Mozilla/5.0 (X11; Linux x86_64)",
        ClientAddress = new IPNetwork(IPAddress.Parse("2001:db8:1::"), 48),
    };

    [Fact]
    public void The_full_event_of_the_tests_sets_every_field_of_the_contract()
    {
        var names = typeof(ClickEvent).GetProperties().Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()!.Name).Order();
        var written = JsonSerializer.SerializeToNode(Full(), WireJson.Options)!.AsObject().Select(p => p.Key).Order();

        // A field added to the contract must be added to the full event here, and then to the reader, or it declines every event.
        Assert.Equal(names, written);
    }

    [Fact]
    public void An_event_as_the_API_publishes_it_is_read_as_System_Text_Json_reads_it()
    {
        AssertReadAsSystemTextJson(JsonSerializer.SerializeToUtf8Bytes(Full(), WireJson.Options), taken: true);
        for (var i = 0; i < 24; i++)
        {
            AssertReadAsSystemTextJson(JsonSerializer.SerializeToUtf8Bytes(ClickEvents.Stamped(i), WireJson.Options), taken: true);
        }
    }

    public static TheoryData<string, string, bool> Values() => new()
    {
        // The common shape, however it is laid out or escaped inside values: taken.
        { "minimal", Minimal(), true },
        { "spaced and reordered", $$"""  { "page" : "/home" , "user_id" : 42 , "event_time" : "{{Time}}" , "event_type" : "click" , "event_id" : "{{Guid.NewGuid()}}" }  """, true },
        { "escapes in values", Minimal(""","session_id":"a\"b\\c\/d\u00e9\ud83d\ude00","referrer":"\t" """), true },
        { "properties of any JSON kind", Minimal(""","properties":[1,"two",{"three":null}]"""), true },
        { "a time without offset", Minimal($$""","received_at":"{{ClickEvents.Epoch:yyyy'-'MM'-'dd'T'HH':'mm':'ss}}" """), true },
        { "a whole IPv4 address", Minimal(""","client_address":"203.0.113.7" """), true },
        // Valid but unusual: declined, and System.Text.Json reads them.
        { "an escaped field name", Minimal(""","session\u005fid":"s" """), false },
        { "another case", Minimal(""","Session_Id":"s" """), false },
        { "an unknown field", Minimal(""","extra":{"a":1}"""), false },
        { "a null optional field", Minimal(""","session_id":null"""), false },
        { "null properties", Minimal(""","properties":null"""), false },
        { "a duplicated field", Minimal(""","page":"/again" """), false },
        // Invalid: declined, and System.Text.Json words the reason.
        { "a missing field", $$"""{"event_id":"{{Guid.NewGuid()}}","user_id":42,"event_type":"click","event_time":"{{Time}}"}""", false },
        { "a null required field", Minimal().Replace("\"page\":\"/home\"", "\"page\":null"), false },
        { "a number in a string", Minimal().Replace("\"user_id\":42", "\"user_id\":\"42\""), false },
        { "a fraction", Minimal().Replace("\"user_id\":42", "\"user_id\":4.2"), false },
        { "an exponent", Minimal().Replace("\"user_id\":42", "\"user_id\":1e3"), false },
        { "a number past long", Minimal().Replace("\"user_id\":42", "\"user_id\":9223372036854775808"), false },
        { "a string id that is no GUID", Minimal().Replace("\"event_id\":\"", "\"event_id\":\"x"), false },
        { "a GUID in braces", $$"""{"event_id":"{{{Guid.NewGuid()}}}","user_id":42,"event_type":"click","page":"/home","event_time":"{{Time}}"}""", false },
        { "a time that is no time", Minimal().Replace(Time, "yesterday"), false },
        { "a number for a string", Minimal().Replace("\"page\":\"/home\"", "\"page\":7"), false },
        { "an address the contract refuses", Minimal(""","client_address":"010.0.0.1" """), false },
        { "a prefix too long", Minimal(""","client_address":"203.0.113.0/33" """), false },
        { "properties too deep", Minimal($$""","properties":{{new string('[', 70)}}{{new string(']', 70)}}"""), false },
        { "a trailing comma", Minimal(","), false },
        { "a comment", Minimal().Replace("{", "{/* c */"), false },
        { "something after the object", Minimal() + " x", false },
        { "a second object", Minimal() + Minimal(), false },
        { "an array of events", $"[{Minimal()}]", false },
        { "JSON null", "null", false },
        { "not JSON", "event_id=1", false },
        { "an unterminated object", Minimal()[..^1], false },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void What_the_reader_takes_it_reads_as_System_Text_Json_does_and_the_contract_check_says_the_same(string name, string json, bool taken)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        AssertReadAsSystemTextJson(bytes, taken);
        AssertSameVerdict(bytes, name);
    }

    [Fact]
    public void Bytes_that_are_not_UTF_8_text_are_declined_and_refused_as_before()
    {
        var bytes = Encoding.UTF8.GetBytes(Minimal().Replace("/home", "/h\u00ffme"));
        var at = Array.IndexOf(bytes, (byte)0xC3);
        bytes[at] = 0xFF; // a byte that never starts a UTF-8 sequence, inside the page's string

        AssertReadAsSystemTextJson(bytes, taken: false);
        Assert.NotNull(AssertSameVerdict(bytes, "not UTF-8"));
    }

    [Fact]
    public void A_byte_order_mark_is_read_as_System_Text_Json_reads_it()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Minimal())).ToArray();
        AssertReadAsSystemTextJson(bytes, taken: ClickEventWireReader.TryRead(bytes, out _));
        AssertSameVerdict(bytes, "byte order mark");
    }

    private static void AssertReadAsSystemTextJson(byte[] json, bool taken)
    {
        Assert.Equal(taken, ClickEventWireReader.TryRead(json, out var read));
        if (read is null)
        {
            return;
        }
        // Throws when System.Text.Json refuses what the reader took.
        var reference = JsonSerializer.Deserialize<ClickEvent>(json, WireJson.Options);
        Assert.Equal(JsonSerializer.Serialize(reference, WireJson.Options), JsonSerializer.Serialize(read, WireJson.Options));
        Assert.Equal(reference!.EventTime.Offset, read.EventTime.Offset);
        Assert.Equal(reference.ReceivedAt?.Offset, read.ReceivedAt?.Offset);
    }

    /// <summary>The contract check's verdict with the reader is the one without it; returns the reason, if refused.</summary>
    private static string? AssertSameVerdict(byte[] json, string name)
    {
        var message = new Message<byte[]?, byte[]?> { Value = json, Headers = [] };
        var plain = Plain.Check(message, out var plainValue, out var plainReason);
        var fast = Fast.Check(message, out var fastValue, out var fastReason);

        Assert.True(plain == fast, $"{name}: \"{plain}\" without the reader, \"{fast}\" with it");
        Assert.Equal(plainReason, fastReason);
        Assert.Equal(JsonSerializer.Serialize(plainValue, WireJson.Options), JsonSerializer.Serialize(fastValue, WireJson.Options));
        return fast;
    }
}
