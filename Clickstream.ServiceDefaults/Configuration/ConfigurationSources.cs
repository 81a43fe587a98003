using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace Clickstream.ServiceDefaults.Configuration;

/// <summary>
/// Where a Clickstream host's settings come from besides .NET's own sources: the <c>.env</c> file of the working
/// directory (as environment variables would be: real ones win, appsettings.json loses) and the original service's
/// environment names (<see cref="LegacyEnvironmentNames"/>), which a <c>.env</c> may set too.
/// </summary>
public static class ConfigurationSources
{
    public const string DotEnvFileName = ".env";

    /// <summary>Adds the <c>.env</c> values and the legacy names, once; a malformed <c>.env</c> throws <see cref="DotEnvFormatException"/>.</summary>
    public static IConfigurationManager AddClickstreamSources(this IConfigurationManager configuration,
        string? workingDirectory = null, Func<string, string?>? environment = null)
    {
        if (configuration.Sources.OfType<DotEnvSource>().Any())
        {
            return configuration;
        }
        environment ??= Environment.GetEnvironmentVariable;
        var path = Path.Combine(workingDirectory ?? Directory.GetCurrentDirectory(), DotEnvFileName);
        var file = DotEnvFile.Read(path, environment);
        var fromFile = file.ToDictionary(v => v.Key, v => v.Value, StringComparer.OrdinalIgnoreCase);
        string? Lookup(string name) => environment(name) ?? fromFile.GetValueOrDefault(name);

        var source = new DotEnvSource { InitialData = AsConfiguration(file, environment) };
        var environmentSource = configuration.Sources.LastOrDefault(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        var below = environmentSource is null ? -1 : configuration.Sources.IndexOf(environmentSource);
        if (below < 0)
        {
            configuration.Sources.Add(source);
        }
        else
        {
            configuration.Sources.Insert(below, source);
        }
        configuration.AddLegacyEnvironmentNames(Lookup);
        return configuration;
    }

    // The keys .NET's environment provider would make of these variables: A__B is A:B; ASPNETCORE_URLS is also URLS.
    private static IEnumerable<KeyValuePair<string, string?>> AsConfiguration(
        IReadOnlyList<KeyValuePair<string, string>> file, Func<string, string?> environment)
    {
        foreach (var (name, value) in file)
        {
            if (environment(name) is not null)
            {
                continue;
            }
            var key = name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
            yield return new(key, value);
            foreach (var prefix in (string[])["ASPNETCORE_", "DOTNET_"])
            {
                if (key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && key.Length > prefix.Length)
                {
                    yield return new(key[prefix.Length..], value);
                }
            }
        }
    }

    /// <summary>The values of the <c>.env</c> file, marked so they are added once.</summary>
    private sealed class DotEnvSource : MemoryConfigurationSource;
}
