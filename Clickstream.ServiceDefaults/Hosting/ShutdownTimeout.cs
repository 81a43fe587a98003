using Microsoft.Extensions.Configuration;

namespace Clickstream.ServiceDefaults.Hosting;

/// <summary>The one place the bound of a stop is read: <c>Ingestion:ShutdownTimeout</c> (default 45 s).</summary>
public static class ShutdownTimeout
{
    public const string Key = "Ingestion:ShutdownTimeout";

    /// <summary>Long enough to finish and commit the batches in flight, short of an orchestrator's kill (often 60 s).</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(45);

    /// <summary>
    /// The raw configured value (or its default), read straight from configuration: the host needs it while it is being
    /// built, before options are validated, and so does a stop that begins before any host exists. An invalid value is
    /// still reported at start by the options validation of the host that owns the setting.
    /// </summary>
    public static TimeSpan Read(IConfiguration configuration)
    {
        try
        {
            var configured = configuration.GetValue(Key, Default);
            // An empty value binds as zero, which would abandon every stop at once.
            return configured > TimeSpan.Zero ? configured : Default;
        }
        catch (InvalidOperationException)
        {
            // Unparsable: start-up validation names the setting; until then the default bounds a stop.
            return Default;
        }
    }
}
