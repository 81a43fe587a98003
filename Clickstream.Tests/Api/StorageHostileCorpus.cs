using System.Text;
using System.Text.Json.Nodes;

namespace Clickstream.Tests.Api;

/// <summary>
/// Valid JSON the API may be sent that is hostile to storage. <paramref name="RefusedKey"/> is the error key of the 400
/// it must get; null means it must be accepted, and then stored as it was sent.
/// </summary>
public sealed record HostileEvent(string Path, byte[] Body, string? RefusedKey);

/// <summary>
/// Events at and past the limits of the <c>events</c> table, its indexes and jsonb (PostgreSQL 15), each either refused
/// with a 400 naming the field or stored: never a 202 followed by a dead letter. The numeric bounds were found on the
/// real server (StoredNumberTests): at most 131072 digits before the decimal point, 16383 after it.
/// </summary>
internal static class StorageHostileCorpus
{
    private const string One = "/events";
    private const string Properties = "properties";

    public static readonly IReadOnlyDictionary<string, HostileEvent> Cases = new Dictionary<string, HostileEvent>
    {
        // Numbers beyond jsonb numeric's range, refused.
        ["number 1e200000"] = Refused("""{"n":1e200000}"""),
        ["number -1e200000"] = Refused("""{"n":-1e200000}"""),
        ["number 1e-20000"] = Refused("""{"n":1e-20000}"""),
        ["number 1e131072, a digit past the largest"] = Refused("""{"n":1e131072}"""),
        ["number 10e131071, the same written otherwise"] = Refused("""{"n":10e131071}"""),
        ["number 1e-16384, a digit past the smallest"] = Refused("""{"n":1e-16384}"""),
        ["number 1.5e-16383, one digit too many after the point"] = Refused("""{"n":1.5e-16383}"""),
        ["number zero with 16384 digits after the point"] = Refused("""{"n":0e-16384}"""),
        ["number 0." + "16383 zeros and a 1"] = Refused("{\"n\":0." + new string('0', 16_383) + "1}"),
        ["number 1." + "16384 zeros"] = Refused("{\"n\":1." + new string('0', 16_384) + "}"),
        ["number zero with an exponent of 1073741823"] = Refused("""{"n":0e1073741823}"""),
        ["number with a 25-digit exponent"] = Refused("""{"n":1e9999999999999999999999999}"""),
        ["number out of range deep in arrays"] = Refused("""{"a":{"b":[1,2,{"c":[-1e200000]}]}}"""),
        ["batch whose fourth event has 1e200000"] = new("/events/batch", ApiRequests.BatchWith(5, (i, e) =>
        {
            if (i == 3) { e[Properties] = JsonNode.Parse("""{"n":1e200000}"""); }
        }), "[3].properties"),

        // Numbers at the edge that PostgreSQL does take, accepted and stored.
        ["number 1e131071, the largest power of ten"] = Stored("""{"n":1e131071}"""),
        ["number -9.9999e131071"] = Stored("""{"n":-9.9999e131071}"""),
        ["number 0.1e131072, the largest written otherwise"] = Stored("""{"n":0.1e131072}"""),
        ["number 1e-16383, the smallest"] = Stored("""{"n":1e-16383}"""),
        ["number -1.5e-16382"] = Stored("""{"n":-1.5e-16382}"""),
        ["number zero with 16383 digits after the point"] = Stored("""{"n":0e-16383}"""),
        ["number zero with an exponent of 131072"] = Stored("""{"n":0e131072}"""),
        ["number zero with an exponent of 1073741822"] = Stored("""{"n":0E+1073741822}"""),
        ["number 0." + "16382 zeros and a 1"] = Stored("{\"n\":0." + new string('0', 16_382) + "1}"),
        ["number a 400-digit integer"] = Stored("{\"n\":" + Digits(400) + "}"),
        ["number a 30,000-digit integer"] = Stored("{\"n\":-" + Digits(30_000) + "}"),
        ["number -0 and 1E+5"] = Stored("""{"a":-0,"b":1E+5,"c":-0.0e-0}"""),

        // NUL and unpaired surrogates, in keys and values, as \u escapes (raw NUL is not valid JSON).
        ["NUL escape in a property value"] = Refused("""{"k":"\u0000"}"""),
        ["NUL escape inside a property value"] = Refused("""{"k":"before\u0000after"}"""),
        ["NUL escape in a property key"] = Refused("""{"k\u0000":1}"""),
        ["NUL escape in a nested key"] = Refused("""{"a":[{"\u0000":true}]}"""),
        ["lone high surrogate in a property key"] = Refused("""{"\ud800":1}"""),
        ["lone low surrogate in a property key"] = Refused("""{"x\udc00":1}"""),
        ["high surrogate before a letter in a value"] = Refused("""{"k":"\ud800\u0041"}"""),
        ["lone surrogate in a nested value"] = Refused("""{"a":{"b":["\udfff"]}}"""),
        ["NUL escape in event_type"] = RawField("event_type", "\"click\\u0000\"", "event_type"),
        ["NUL escape in session_id"] = RawField("session_id", "\"s\\u0000\"", "session_id"),
        ["NUL escape in referrer"] = RawField("referrer", "\"https://example.com/\\u0000\"", "referrer"),
        ["lone surrogate in page"] = RawField("page", "\"/p\\udbff\"", "page"),
        // What jsonb and text do take.
        ["control escapes and a paired surrogate in keys and values"] = Stored("""{"k\u0001":"\u001f","\ud83d\ude00":"\ud83d\ude00 \uffff"}"""),
        ["many keys filling most of an event"] = Stored("{" + string.Join(",", Enumerable.Range(0, 2_000).Select(i => $"\"k{i}\":{i}")) + "}"),

        // Strings at their limits: event_type is indexed, so its UTF-8 bytes count (the btree entry's bound is 2,684 bytes
        // of incompressible text); page, session_id and referrer are not indexed.
        ["event_type at 64 characters"] = Field("event_type", "a0_.:-" + new string('z', 58), null),
        ["event_type with a multibyte character"] = Field("event_type", "clïck", "event_type"),
        ["event_type at 65 characters"] = Field("event_type", new string('e', 65), "event_type"),
        ["page at 2,048 multibyte characters"] = Field("page", "/" + new string('€', 2_047), null),
        ["page at 2,048 characters of emoji"] = Field("page", "/" + string.Concat(Enumerable.Repeat("😀", 1_023)) + "x", null),
        ["session_id at 128 multibyte characters"] = Field("session_id", string.Concat(Enumerable.Repeat("日本", 64)), null),
        ["referrer at 2,048 characters"] = Field("referrer", "https://example.com/" + new string('r', 2_048 - 20), null),

        // Nesting: the API allows 16 levels from the body's root (the event is one, properties two).
        ["properties nested to the depth limit"] = Stored(Nested(14)),
        ["properties nested one past the depth limit"] = new(One, Body(Nested(15)), "$"),
    };

    public static TheoryData<string> Names() => new(Cases.Keys);

    private static HostileEvent Refused(string properties) => new(One, Body(properties), Properties);

    private static HostileEvent Stored(string properties) => new(One, Body(properties), null);

    /// <summary>A valid event whose properties are exactly this JSON text, byte for byte.</summary>
    private static byte[] Body(string properties) => RawFieldBody(Properties, properties);

    private static HostileEvent Field(string name, string value, string? refusedKey) =>
        new(One, ApiRequests.EventWith(e => e[name] = value), refusedKey);

    private static HostileEvent RawField(string name, string json, string refusedKey) => new(One, RawFieldBody(name, json), refusedKey);

    private static byte[] RawFieldBody(string name, string json)
    {
        var e = ApiRequests.EventJson();
        e.Remove(name);
        return Encoding.UTF8.GetBytes(e.ToJsonString().TrimEnd('}') + $",\"{name}\":{json}}}");
    }

    private static string Digits(int count) => "9" + new string('7', count - 1);

    /// <summary>Objects and arrays <paramref name="levels"/> deep, inside the properties object.</summary>
    private static string Nested(int levels)
    {
        var open = new StringBuilder();
        var close = new StringBuilder();
        for (var level = 0; level < levels; level++)
        {
            open.Append(level % 2 == 0 ? "{\"d\":" : "[");
            close.Insert(0, level % 2 == 0 ? "}" : "]");
        }
        return "{\"n\":" + open + "1" + close + "}";
    }
}
