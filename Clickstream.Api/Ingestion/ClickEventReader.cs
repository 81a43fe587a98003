using System.Text.Json;

namespace Clickstream.Api.Ingestion;

/// <summary>
/// Reads one event object into a <see cref="ClickEventDraft"/>, recording wrong JSON types and unknown fields
/// under the client's names. Unknown fields are rejected rather than dropped: a misspelt field (<c>userId</c>)
/// would otherwise lose data silently; free-form data belongs in <c>properties</c>. So are the fields the server stamps
/// (<c>received_at</c>, <c>user_agent</c>, <c>client_address</c>).
/// </summary>
internal static class ClickEventReader
{
    private const int MaxEchoedNameLength = 64;

    /// <summary><paramref name="prefix"/> is prepended to field names: "" for a single event, "[3]." in a batch.</summary>
    public static ClickEventDraft? Read(JsonElement element, string prefix, string elementKey, ValidationErrors errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(elementKey, $"must be a JSON object (an event), not {Describe(element.ValueKind)}.");
            return null;
        }

        var draft = new ClickEventDraft();
        foreach (var property in element.EnumerateObject())
        {
            // Names are compared as UTF-8, and an error's key is built only for an error: no strings per field.
            var value = property.Value;
            var field = new Field(prefix, property);
            if (property.NameEquals("event_id"u8)) draft.EventId = Text(value, field, errors, required: true);
            else if (property.NameEquals("user_id"u8)) draft.UserId = Integer(value, field, errors);
            else if (property.NameEquals("event_type"u8)) draft.EventType = Text(value, field, errors, required: true);
            else if (property.NameEquals("page"u8)) draft.Page = Text(value, field, errors, required: true);
            else if (property.NameEquals("event_time"u8)) draft.EventTime = Text(value, field, errors, required: true);
            else if (property.NameEquals("session_id"u8)) draft.SessionId = Text(value, field, errors, required: false);
            else if (property.NameEquals("referrer"u8)) draft.Referrer = Text(value, field, errors, required: false);
            else if (property.NameEquals("properties"u8)) draft.Properties = Object(value, field, errors);
            else if (IsStampedByTheServer(property)) errors.Add(field.Key, "is stamped by the server from the request; leave it out.");
            else errors.Add(prefix + Truncate(property.Name), "is not a field of a click event (put free-form data in \"properties\").");
        }
        return draft;
    }

    // The server's values are the truth: a client's own would be indistinguishable from them once stored.
    private static bool IsStampedByTheServer(JsonProperty property) =>
        property.NameEquals("received_at"u8) || property.NameEquals("user_agent"u8) || property.NameEquals("client_address"u8);

    /// <summary>A field of the event being read; its error key (prefix + name) is made only when needed.</summary>
    private readonly record struct Field(string Prefix, JsonProperty Property)
    {
        public string Key => Prefix + Property.Name;
    }

    private static string? Text(JsonElement value, Field field, ValidationErrors errors, bool required)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null when !required:
                return null;
            case JsonValueKind.String:
                // Fields end up in PostgreSQL text columns, which refuse NUL and unpaired surrogates.
                if (StoredText.Read(value) is { } text && StoredText.IsStorable(text))
                {
                    return text;
                }
                errors.Add(field.Key, "must not contain the NUL character or unpaired surrogates.");
                return null;
            default:
                errors.Add(field.Key, $"must be a string, not {Describe(value.ValueKind)}.");
                return null;
        }
    }

    private static long? Integer(JsonElement value, Field field, ValidationErrors errors)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }
        errors.Add(field.Key, value.ValueKind == JsonValueKind.Number
            ? "must be a whole number that fits in 64 bits."
            : $"must be a number, not {Describe(value.ValueKind)}.");
        return null;
    }

    private static JsonElement? Object(JsonElement value, Field field, ValidationErrors errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Object:
                // Stored as jsonb, which refuses some valid JSON: NUL, unpaired surrogates, numbers beyond numeric's range.
                if (StoredJson.Problem(value) is { } problem)
                {
                    errors.Add(field.Key, problem);
                    return null;
                }
                return value.Clone();
            default:
                errors.Add(field.Key, $"must be a JSON object, not {Describe(value.ValueKind)}.");
                return null;
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Truncate(string name) => name.Length <= MaxEchoedNameLength ? name : name[..MaxEchoedNameLength] + "…";
}
