using System.Text.Json;

namespace Clickstream.Api.Ingestion;

/// <summary>
/// Reads one event object into a <see cref="ClickEventDraft"/>, recording wrong JSON types and unknown fields
/// under the client's names. Unknown fields are rejected rather than dropped: a misspelt field (<c>userId</c>)
/// would otherwise lose data silently; free-form data belongs in <c>properties</c>.
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
            var key = prefix + property.Name;
            var value = property.Value;
            switch (property.Name)
            {
                case ClickEventFields.EventId: draft.EventId = Text(value, key, errors, required: true); break;
                case ClickEventFields.UserId: draft.UserId = Integer(value, key, errors); break;
                case ClickEventFields.EventType: draft.EventType = Text(value, key, errors, required: true); break;
                case ClickEventFields.Page: draft.Page = Text(value, key, errors, required: true); break;
                case ClickEventFields.EventTime: draft.EventTime = Text(value, key, errors, required: true); break;
                case ClickEventFields.SessionId: draft.SessionId = Text(value, key, errors, required: false); break;
                case ClickEventFields.Referrer: draft.Referrer = Text(value, key, errors, required: false); break;
                case ClickEventFields.Properties: draft.Properties = Object(value, key, errors); break;
                default:
                    errors.Add(prefix + Truncate(property.Name), "is not a field of a click event (put free-form data in \"properties\").");
                    break;
            }
        }
        return draft;
    }

    private static string? Text(JsonElement value, string key, ValidationErrors errors, bool required)
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
                errors.Add(key, "must not contain the NUL character or unpaired surrogates.");
                return null;
            default:
                errors.Add(key, $"must be a string, not {Describe(value.ValueKind)}.");
                return null;
        }
    }

    private static long? Integer(JsonElement value, string key, ValidationErrors errors)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }
        errors.Add(key, value.ValueKind == JsonValueKind.Number
            ? "must be a whole number that fits in 64 bits."
            : $"must be a number, not {Describe(value.ValueKind)}.");
        return null;
    }

    private static JsonElement? Object(JsonElement value, string key, ValidationErrors errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Object when StoredText.IsStorable(value):
                return value.Clone();
            case JsonValueKind.Object:
                errors.Add(key, "must not contain the NUL character or unpaired surrogates (PostgreSQL's jsonb refuses them).");
                return null;
            default:
                errors.Add(key, $"must be a JSON object, not {Describe(value.ValueKind)}.");
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
