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
        try
        {
            return configuration.GetSection(IngestionBatchOptions.Section).Get<IngestionBatchOptions>()?.ShutdownTimeout
                ?? new IngestionBatchOptions().ShutdownTimeout;
        }
        catch (InvalidOperationException)
        {
            // Unparsable: start-up validation names the setting; until then the default bounds a stop.
            return new IngestionBatchOptions().ShutdownTimeout;
        }
    }
}
