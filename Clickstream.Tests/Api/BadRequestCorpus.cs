using System.Text;
using System.Text.Json.Nodes;

namespace Clickstream.Tests.Api;

/// <summary>One request the API must refuse: where it goes, what it carries, the status and the error key expected.</summary>
public sealed record BadRequest(string Path, byte[] Body, int Status, string? ErrorKey, string? ContentType = "application/json",
    IReadOnlyList<string>? ErrorKeys = null);

/// <summary>
/// Bad requests by name, covering each validation rule, malformed JSON, wrong types, huge strings, deep nesting,
/// batch limits, oversize bodies, content types and invalid UTF-8. Limits are the defaults: 32 KiB per event,
/// 1 MiB and 1,000 events per batch, depth 16.
/// </summary>
internal static class BadRequestCorpus
{
    private const string One = "/events";
    private const string Batch = "/events/batch";

    public static readonly IReadOnlyDictionary<string, BadRequest> Cases = new Dictionary<string, BadRequest>
    {
        ["event_id missing"] = Invalid(e => e.Remove("event_id"), "event_id"),
        ["event_id not a uuid"] = Invalid(e => e["event_id"] = "not-a-uuid", "event_id"),
        ["event_id all zeros"] = Invalid(e => e["event_id"] = Guid.Empty.ToString(), "event_id"),
        ["event_id a number"] = Invalid(e => e["event_id"] = 12345, "event_id"),
        ["event_id null"] = Invalid(e => e["event_id"] = null, "event_id"),
        ["user_id missing"] = Invalid(e => e.Remove("user_id"), "user_id"),
        ["user_id zero"] = Invalid(e => e["user_id"] = 0, "user_id"),
        ["user_id negative"] = Invalid(e => e["user_id"] = -7, "user_id"),
        ["user_id a string"] = Invalid(e => e["user_id"] = "42", "user_id"),
        ["user_id a fraction"] = Invalid(e => e["user_id"] = 1.5, "user_id"),
        ["user_id beyond 64 bits"] = Invalid(e => e["user_id"] = JsonNode.Parse("123456789012345678901234567890"), "user_id"),
        ["user_id a boolean"] = Invalid(e => e["user_id"] = true, "user_id"),
        ["event_type missing"] = Invalid(e => e.Remove("event_type"), "event_type"),
        ["event_type empty"] = Invalid(e => e["event_type"] = "", "event_type"),
        ["event_type upper case"] = Invalid(e => e["event_type"] = "Click", "event_type"),
        ["event_type with a space"] = Invalid(e => e["event_type"] = "page view", "event_type"),
        ["event_type 65 characters"] = Invalid(e => e["event_type"] = new string('a', 65), "event_type"),
        ["event_type an object"] = Invalid(e => e["event_type"] = new JsonObject(), "event_type"),
        ["page missing"] = Invalid(e => e.Remove("page"), "page"),
        ["page empty"] = Invalid(e => e["page"] = "", "page"),
        ["page relative without slash"] = Invalid(e => e["page"] = "products/17", "page"),
        ["page network-path reference"] = Invalid(e => e["page"] = "//evil.example/x", "page"),
        ["page ftp url"] = Invalid(e => e["page"] = "ftp://example.com/file", "page"),
        ["page 2049 characters"] = Invalid(e => e["page"] = "/" + new string('p', 2048), "page"),
        ["page with a NUL character"] = Invalid(e => e["page"] = "/a\u0000b", "page"),
        ["event_time missing"] = Invalid(e => e.Remove("event_time"), "event_time"),
        ["event_time without offset"] = Invalid(e => e["event_time"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss"), "event_time"),
        ["event_time a date only"] = Invalid(e => e["event_time"] = DateTime.UtcNow.ToString("yyyy-MM-dd"), "event_time"),
        ["event_time not a date"] = Invalid(e => e["event_time"] = "yesterday", "event_time"),
        ["event_time a unix timestamp"] = Invalid(e => e["event_time"] = 1_700_000_000, "event_time"),
        ["event_time an hour ahead"] = Invalid(e => e["event_time"] = DateTimeOffset.UtcNow.AddHours(1).ToString("O"), "event_time"),
        ["event_time eight days old"] = Invalid(e => e["event_time"] = DateTimeOffset.UtcNow.AddDays(-8).ToString("O"), "event_time"),
        ["session_id empty"] = Invalid(e => e["session_id"] = "", "session_id"),
        ["session_id 129 characters"] = Invalid(e => e["session_id"] = new string('s', 129), "session_id"),
        ["session_id a number"] = Invalid(e => e["session_id"] = 7, "session_id"),
        ["session_id an unpaired surrogate"] = new(One, Encoding.UTF8.GetBytes(ApiRequests.EventJson().ToJsonString()
            .Replace("\"session_id\":\"s-0\"", "\"session_id\":\"\\ud800\"", StringComparison.Ordinal)), 400, "session_id"),
        ["referrer not a url"] = Invalid(e => e["referrer"] = "not a url", "referrer"),
        ["referrer javascript url"] = Invalid(e => e["referrer"] = "javascript:alert(1)", "referrer"),
        ["properties an array"] = Invalid(e => e["properties"] = new JsonArray(1, 2), "properties"),
        ["properties a string"] = Invalid(e => e["properties"] = "{}", "properties"),
        ["properties with a NUL character"] = Invalid(e => e["properties"] = new JsonObject { ["k"] = "a\u0000" }, "properties"),
        ["unknown field"] = Invalid(e => e["userId"] = 42, "userId"),
        ["received_at sent by the client"] = Invalid(e => e["received_at"] = DateTimeOffset.UtcNow.ToString("O"), "received_at"),
        ["user_agent sent by the client"] = Invalid(e => e["user_agent"] = "Mozilla/5.0", "user_agent"),
        ["client_address sent by the client"] = Invalid(e => e["client_address"] = "203.0.113.0/24", "client_address"),
        ["batch with a client_address"] = new(Batch, ApiRequests.BatchWith(2, (i, e) => { if (i == 1) { e["client_address"] = "203.0.113.7"; } }), 400, "[1].client_address"),
        ["malformed json"] = Raw(One, "{\"event_id\": ", 400, "$"),
        ["trailing comma"] = Raw(One, "{\"user_id\": 1,}", 400, "$"),
        ["comments"] = Raw(One, "{/* hi */}", 400, "$"),
        ["duplicate field"] = new(One, Encoding.UTF8.GetBytes(ApiRequests.EventJson().ToJsonString().TrimEnd('}') + ",\"user_id\":1}"), 400, "$"),
        ["an array sent to /events"] = new(One, ApiRequests.BatchWith(1), 400, "$"),
        ["a string body"] = Raw(One, "\"event\"", 400, "$"),
        ["a null body"] = Raw(One, "null", 400, "$"),
        ["an empty body"] = Raw(One, "", 400, "$"),
        ["deep nesting"] = new(One, Encoding.UTF8.GetBytes(ApiRequests.EventJson().ToJsonString().TrimEnd('}')
            + ",\"deep\":" + new string('[', 200) + new string(']', 200) + "}"), 400, "$"),
        ["invalid UTF-8"] = new(One, [.. Encoding.UTF8.GetBytes("{\"event_type\":\""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")], 400, "$"),
        ["a huge string"] = Invalid(e => e["page"] = "/" + new string('x', 40_000), null, status: 413),
        ["an event over 32 KiB"] = Invalid(e => e["properties"] = new JsonObject { ["blob"] = new string('b', 33_000) }, null, status: 413),
        ["text/html content type"] = new(One, ApiRequests.EventWith(_ => { }), 415, null, "text/html"),
        ["text/plain latin-1 charset"] = new(One, ApiRequests.EventWith(_ => { }), 415, null, "text/plain; charset=iso-8859-1"),
        ["no content type"] = new(One, ApiRequests.EventWith(_ => { }), 415, null, null),
        ["form content type"] = new(One, ApiRequests.EventWith(_ => { }), 415, null, "application/x-www-form-urlencoded"),
        ["latin-1 charset"] = new(One, ApiRequests.EventWith(_ => { }), 415, null, "application/json; charset=iso-8859-1"),
        ["batch empty"] = Raw(Batch, "[]", 400, "$"),
        ["batch an object"] = new(Batch, ApiRequests.EventWith(_ => { }), 400, "$"),
        ["batch of 1001 events"] = new(Batch, ApiRequests.BatchWith(1001, (_, e) => { e.Remove("properties"); e.Remove("referrer"); }), 400, "$"),
        ["batch over 1 MiB"] = new(Batch, ApiRequests.BatchWith(40, (_, e) => e["properties"] = new JsonObject { ["blob"] = new string('b', 30_000) }), 413, null),
        ["batch with an invalid fourth event"] = new(Batch, ApiRequests.BatchWith(5, (i, e) => { if (i == 3) { e["user_id"] = 0; } }), 400, "[3].user_id"),
        ["batch with invalid events lists each"] = new(Batch, ApiRequests.BatchWith(5, (i, e) =>
        {
            if (i == 1) { e["page"] = "nope"; }
            if (i == 4) { e.Remove("event_id"); }
        }), 400, "[1].page", ErrorKeys: ["[4].event_id"]),
        ["batch with a non-object element"] = Raw(Batch, "[42]", 400, "[0]"),
        ["batch with an event over 32 KiB"] = new(Batch, ApiRequests.BatchWith(2, (i, e) => { if (i == 1) { e["properties"] = new JsonObject { ["blob"] = new string('b', 33_000) }; } }), 400, "[1]"),
        ["batch with an unknown field"] = new(Batch, ApiRequests.BatchWith(3, (i, e) => { if (i == 2) { e["colour"] = "red"; } }), 400, "[2].colour"),
        ["batch malformed json"] = Raw(Batch, "[{\"user_id\": 1}", 400, "$"),
        ["batch wrong content type"] = new(Batch, ApiRequests.BatchWith(1), 415, null, "text/csv"),
    };

    public static TheoryData<string> Names() => new(Cases.Keys);

    private static BadRequest Invalid(Action<JsonObject> change, string? errorKey, int status = 400) =>
        new(One, ApiRequests.EventWith(change), status, errorKey);

    private static BadRequest Raw(string path, string body, int status, string? errorKey) =>
        new(path, Encoding.UTF8.GetBytes(body), status, errorKey);
}
