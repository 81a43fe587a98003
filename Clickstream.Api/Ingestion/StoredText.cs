using System.Text.Json;

namespace Clickstream.Api.Ingestion;

/// <summary>
/// Text PostgreSQL can store: no NUL (text and jsonb refuse it) and no unpaired surrogate (not encodable as UTF-8).
/// Checked here so such an event is a 400 for its client rather than a dead letter later.
/// </summary>
internal static class StoredText
{
    public static bool IsStorable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return false;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The string's text, or null when its escapes do not make text (an unpaired \\ud800 is refused by the reader).</summary>
    public static string? Read(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
