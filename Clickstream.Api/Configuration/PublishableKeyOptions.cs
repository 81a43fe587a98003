namespace Clickstream.Api.Configuration;

/// <summary>
/// A key meant to be seen: it sits in a web page's source (<c>Api__PublishableKeys__0__Key</c>). It may only send
/// events, may travel as the <c>key</c> query parameter (all <c>navigator.sendBeacon</c> allows), and, bound to
/// <see cref="Origins"/>, only from pages of those origins.
/// </summary>
public sealed class PublishableKeyOptions
{
    public string Key { get; set; } = "";

    /// <summary>Origins (<c>scheme://host[:port]</c>) whose pages may use the key; none: any. They are allowed by CORS too.</summary>
    public List<string> Origins { get; set; } = [];
}
