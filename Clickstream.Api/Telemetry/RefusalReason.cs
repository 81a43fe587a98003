namespace Clickstream.Api.Telemetry;

/// <summary>Why the API refused events: the <c>reason</c> tag of <c>clickstream.api.events.refused</c>.</summary>
internal enum RefusalReason
{
    /// <summary>400 (an invalid body or event) and 415 (not JSON).</summary>
    Invalid,

    /// <summary>413: the body is over the endpoint's limit.</summary>
    TooLarge,

    /// <summary>503: Kafka did not acknowledge, or the pipeline is behind.</summary>
    Unavailable,

    /// <summary>401: no valid API key.</summary>
    Unauthorized,

    /// <summary>429: the key's (or address's) rate limit is reached.</summary>
    RateLimited,

    /// <summary>403: a publishable key used from a page of an origin it is not bound to.</summary>
    Forbidden,
}
