using System.Text;

namespace Clickstream.ServiceDefaults.Configuration;

/// <summary>
/// Reads a <c>.env</c> file the way the original service's python-dotenv did: <c>KEY=value</c> lines, an optional
/// <c>export</c>, <c>#</c> comments (inline ones after a space on unquoted values), single quotes taken literally,
/// double quotes with backslash escapes, quoted values over several lines, and <c>${NAME}</c> or
/// <c>${NAME:-default}</c> expanded in unquoted and double-quoted values from the environment, then from the lines
/// above. A line python-dotenv would skip with a warning is an error here, naming the file and line: a setting that
/// silently does not apply is worse than a start that fails.
/// </summary>
public static class DotEnvFile
{
    /// <summary>The values of the file at <paramref name="path"/>, in file order; none when there is no such file.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Read(string path, Func<string, string?> environment)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        return Parse(File.ReadAllText(path), path, environment);
    }

    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string text, string path, Func<string, string?> environment)
    {
        var values = new List<KeyValuePair<string, string>>();
        var reader = new DotEnvReader(text.Replace("\r\n", "\n", StringComparison.Ordinal), path);
        while (reader.NextStatement() is var (key, value, expand))
        {
            if (value is null)
            {
                // A bare KEY: python-dotenv gives it no value, so it sets nothing.
                continue;
            }
            var resolved = expand ? Expand(value, values, environment) : value;
            values.RemoveAll(v => v.Key == key);
            values.Add(new(key, resolved));
        }
        return values;
    }

    private static string Expand(string value, List<KeyValuePair<string, string>> earlier, Func<string, string?> environment)
    {
        if (!value.Contains("${", StringComparison.Ordinal))
        {
            return value;
        }
        var result = new StringBuilder(value.Length);
        var i = 0;
        while (i < value.Length)
        {
            var start = value.IndexOf("${", i, StringComparison.Ordinal);
            var end = start < 0 ? -1 : value.IndexOf('}', start + 2);
            if (end < 0)
            {
                result.Append(value, i, value.Length - i);
                break;
            }
            result.Append(value, i, start - i);
            var reference = value[(start + 2)..end];
            var separator = reference.IndexOf(":-", StringComparison.Ordinal);
            var name = separator < 0 ? reference : reference[..separator];
            var fallback = separator < 0 ? "" : reference[(separator + 2)..];
            var found = environment(name) ?? earlier.LastOrDefault(v => v.Key == name).Value;
            result.Append(string.IsNullOrEmpty(found) ? fallback : found);
            i = end + 1;
        }
        return result.ToString();
    }
}
