using System.Globalization;

namespace Clickstream.Benchmarks.Infrastructure;

/// <summary>
/// Resident memory read from /proc (Linux). Every component runs in this one process, so its peak is measured per
/// phase: the kernel's high-water mark (VmHWM) is reset before each phase (clear_refs 5) and read after it.
/// PostgreSQL is its own process tree and is sampled separately.
/// </summary>
public static class ProcessMemory
{
    public static void ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not allowed: the peak then covers the whole run so far, which the report still names "peak".
        }
    }

    /// <summary>This process's peak resident set since the last reset, in MiB.</summary>
    public static double PeakMiB() => StatusKiB("self", "VmHWM") / 1024.0;

    public static double CurrentMiB() => StatusKiB("self", "VmRSS") / 1024.0;

    /// <summary>
    /// The memory of a PostgreSQL server's process tree, in MiB: every process's private memory plus the shared
    /// buffers once (each backend maps them, so a plain sum of RSS would count them many times).
    /// </summary>
    public static double PostgresMiB(string dataDirectory)
    {
        var postmaster = FindPostmaster(dataDirectory);
        if (postmaster is null)
        {
            return 0;
        }
        var tree = ChildrenOf(postmaster).Append(postmaster).ToList();
        var anonymous = tree.Sum(pid => StatusKiB(pid, "RssAnon"));
        var shared = tree.Select(pid => StatusKiB(pid, "RssShmem")).DefaultIfEmpty(0).Max();
        return (anonymous + shared) / 1024.0;
    }

    internal static string? FindPostmaster(string dataDirectory)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(dir);
            if (!pid.All(char.IsAsciiDigit))
            {
                continue;
            }
            var arguments = ReadOrEmpty(Path.Combine(dir, "cmdline")).Split('\0');
            if (arguments.Length > 0 && arguments[0].EndsWith("/postgres", StringComparison.Ordinal) && arguments.Contains(dataDirectory))
            {
                return pid;
            }
        }
        return null;
    }

    internal static IEnumerable<string> ChildrenOf(string parent) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(pid => pid!.All(char.IsAsciiDigit) && StatusField(pid!, "PPid") == parent)
            .Select(pid => pid!)
            .ToList();

    private static long StatusKiB(string pid, string field) =>
        StatusField(pid, field) is { } value && long.TryParse(value.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib)
            ? kib : 0;

    private static string? StatusField(string pid, string field)
    {
        foreach (var line in ReadOrEmpty($"/proc/{pid}/status").Split('\n'))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return line[(field.Length + 1)..].Trim();
            }
        }
        return null;
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ""; // the process ended meanwhile
        }
    }
}
