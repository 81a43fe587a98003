using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace Clickstream.ServiceDefaults.Configuration;

/// <summary>
/// Log levels every host starts from, below every other source (appsettings.json, the environment, <c>.env</c>), so
/// <c>Logging__LogLevel__MassTransit=Debug</c> still works: the frameworks' per-request chatter off, our own at Information.
/// </summary>
public static class LoggingDefaults
{
    private static readonly Dictionary<string, string?> Levels = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    };

    public static IConfigurationManager AddLoggingDefaults(this IConfigurationManager configuration)
    {
        if (!configuration.Sources.OfType<LevelsSource>().Any())
        {
            configuration.Sources.Insert(0, new LevelsSource { InitialData = Levels });
        }
        return configuration;
    }

    private sealed class LevelsSource : MemoryConfigurationSource;
}
