using Clickstream.Consumers.Configuration;
using Microsoft.Extensions.Configuration;

namespace Clickstream.Consumers.Hosting;

/// <summary>The one place the bound of a stop is read: <c>Ingestion:ShutdownTimeout</c>.</summary>
public static class IngestionShutdown
{
    /// <summary>
    /// The raw configured value (or its default), read straight from configuration: the host needs it while it is being
    /// built, before options are validated, and so does a stop that begins before any host exists. An invalid value is
    /// still reported at start by the options validation.
    /// </summary>
    public static TimeSpan Timeout(IConfiguration configuration)
    {
        var fallback = new IngestionBatchOptions().ShutdownTimeout;
        try
        {
            var configured = configuration.GetSection(IngestionBatchOptions.Section).Get<IngestionBatchOptions>()?.ShutdownTimeout ?? fallback;
            // An empty value binds as zero, which would abandon every stop at once.
            return configured > TimeSpan.Zero ? configured : fallback;
        }
        catch (InvalidOperationException)
        {
            // Unparsable: start-up validation names the setting; until then the default bounds a stop.
            return fallback;
        }
    }
}
