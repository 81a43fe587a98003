using System.Runtime.InteropServices;
using System.Text.Json;

namespace Clickstream.Api.Ingestion;

/// <summary>
/// JSON values PostgreSQL's jsonb can store: every key and string is text it can hold (<see cref="StoredText"/>) and
/// every number is within numeric's range (<see cref="StoredNumber"/>). jsonb has no other limit an event can reach:
/// its size and pair limits are 256 MiB and 2^28 pairs, and nesting thousands deep is stored (the API allows 16).
/// </summary>
internal static class StoredJson
{
    private const int MaxEchoedKeyLength = 32;

    private const string NoNul = "must not contain the NUL character or unpaired surrogates (jsonb refuses them)";

    private static readonly string NumberRange = $"must hold only numbers jsonb can store: at most {StoredNumber.MaxDigitsBeforePoint} digits "
        + $"before the decimal point and {StoredNumber.MaxDigitsAfterPoint} after it, exponent included (1e-{StoredNumber.MaxDigitsAfterPoint} "
        + $"to 9.9e{StoredNumber.MaxDigitsBeforePoint - 1})";

    /// <summary>
    /// Null when jsonb can store <paramref name="value"/> (the <c>properties</c> object); else the rule and where it is
    /// broken, as "...; the number at properties.price[2] is not."
    /// </summary>
    public static string? Problem(JsonElement value) => Check(value) is { } found ? $"{found.Rule}; {found.What} properties{found.Where} {found.Verdict}." : null;

    private readonly record struct Found(string Rule, string What, string Verdict, string Where = "")
    {
        public Found Inside(string segment) => this with { Where = segment + Where };
    }

    // The path is built on the way out, so a storable value costs no strings.
    private static Found? Check(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return StoredText.Read(value) is { } text && StoredText.IsStorable(text)
                    ? null
                    : new Found(NoNul, "the string at", "has one");
            case JsonValueKind.Number:
                return StoredNumber.IsStorable(JsonMarshal.GetRawUtf8Value(value))
                    ? null
                    : new Found(NumberRange, "the number at", "is not");
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    if (Name(property) is not { } name || !StoredText.IsStorable(name))
                    {
                        return new Found(NoNul, "a key of", "has one");
                    }
                    if (Check(property.Value) is { } inside)
                    {
                        return inside.Inside("." + (name.Length <= MaxEchoedKeyLength ? name : name[..MaxEchoedKeyLength] + "…"));
                    }
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (Check(item) is { } inside)
                    {
                        return inside.Inside($"[{index}]");
                    }
                    index++;
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>The key's text, or null when its escapes do not make text (an unpaired \ud800).</summary>
    private static string? Name(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
